# The application's name: the same in every language.
app-name = R2V Studio

# Top bar
# Shown while the app talks to the built-in simulator (--demo); the spaces pad the badge.
app-demo-badge = {" "}DEMO · built-in simulator{" "}
# The theme button names the theme it switches to.
app-theme-light = Light
app-theme-dark = Dark
app-theme-tooltip = Light / dark
app-settings = Settings
# The language switch names the other language, in that language.
app-language-english = English
app-language-chinese = 中文

# File menu
app-menu-file = File
app-menu-new = New
app-menu-open = Open…
app-menu-restore-video = Open settings from a video…
app-menu-save = Save
app-menu-save-as = Save as…
app-menu-export-request = Export the request (JSON / curl)…
# Heading above the recently opened projects.
app-menu-recent = Recent

# Ctrl+V while no text field has the keyboard
app-paste-not-image = The clipboard holds text, not an image or an image URL.

# The window was started with a project file and other files (r2v-studio FILE…):
# the project opened, $count other files did not.
app-arguments-left-out = { $count ->
    [one] The project opened on its own: the other file given with it was left out. Open one project at a time, then add pictures to it.
   *[other] The project opened on its own: the { $count } other files given with it were left out. Open one project at a time, then add pictures to it.
}

# An opened project whose reference files are no longer where it says
app-missing-title = Some pictures have moved
app-missing-explanation = These references are not where the project says. Choose each file again, or a folder that holds them.
app-missing-choose = Choose…
app-missing-look-in-folder = Look in a folder…
app-missing-later = Later

# Closing the window with unsaved changes
app-close-title = Save your changes?
app-close-explanation = The references, prompt or settings in the editor have changed since they were last saved. Running jobs are safe either way: they continue next time.
app-close-save = Save
app-close-discard = Don't save
app-close-cancel = Cancel

# The request window (File → Export the request)
app-request-title = The request
app-request-problems = { $count ->
    [one] { $count } problem would stop this request; it is shown as it stands.
   *[other] { $count } problems would stop this request; it is shown as it stands.
}
app-request-unavailable = No request can be built yet: choose a size the model offers.
# <upload of …> is written as is in the exported request; $DASHSCOPE_API_KEY is an environment variable.
app-request-explanation = Local files are uploaded first: <upload of …> stands for the oss:// key each gets. The key is never shown: curl reads $DASHSCOPE_API_KEY.
app-request-copy-json = Copy JSON
app-request-copy-curl = Copy curl
app-request-save-json = Save JSON…
app-request-save-curl = Save curl…
# A comment line at the top of the saved curl script (request.sh).
app-request-script-comment = Set DASHSCOPE_API_KEY before running.

# Shown over the window while files are dragged over it
app-drop-hint = Drop images to add them as references

# File sizes; $size is a number (with one decimal for MB).
app-size-kb = { $size } KB
app-size-mb = { $size } MB
app-demo-tooltip = Everything here runs against a simulator inside this app: nothing is sent or paid.
app-demo-leave = Leave the demo
app-demo-leave-tooltip = Back to your own account (or to the welcome page if there is no key yet).
