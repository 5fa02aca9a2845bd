# The window's start (ui::mod). The errors below are printed on the terminal
# after "r2v-studio: " when the window cannot start, hence the lower case.
shell-window-title = R2V Studio
shell-demo-failed = could not start the demo service: { $error }
shell-window-failed = the window could not open: { $error }
shell-samples-folder-failed = could not create { $path }: { $error }
shell-sample-write-failed = could not write { $path }: { $error }

# Notes shown when the window opens (ui::mod)
# $problem: why the settings file could not be read.
shell-settings-problem = Settings: { $problem }
shell-engine-start-failed = The background engine could not start: { $error }
shell-key-invalid = The key was refused in both regions: it is not a valid Model Studio API key. Copy it again from the console (the whole sk-… text), or create a new one. (request_id: { $request_id })
shell-key-other-region = This key belongs to the other region: it is refused in { $region } but works in { $other }. Choose { $other } as your region, or create a key in the { $region } console. (request_id: { $request_id })
shell-key-other-address = This key is refused at this address but works in the other region: choose the region the key was created in. (request_id: { $request_id })
shell-key-not-activated = The key works, but { $model } is not activated for this account. In the Model Studio console, search for PixVerse, open its model card, click Activate Now, then test again. (request_id: { $request_id })
shell-key-overdue = The key works, but the Alibaba Cloud account is overdue (Arrearage): nothing can be generated until it is topped up. Add funds in the Alibaba Cloud console, then test again. (request_id: { $request_id })

# The shell's results (ui::shell)
shell-engine-not-running = The background engine is not running (see the message at start): restart the app.
shell-engine-restart-failed = The background engine could not restart: { $error }
shell-settings-saved = Settings saved.
shell-settings-not-saved = The settings could not be saved: { $error }
# $problem: why the keychain refused the key. The quoted words refer to the checkbox settings-key-allow-file.
shell-key-not-saved = The key could not be saved: { $problem }. Tick “keep the key in a file” to store it anyway.
shell-project-saved = Project saved.
shell-relink-none-found = None of the missing files is in that folder.
# An exported request; $DASHSCOPE_API_KEY is a shell variable, left as it is.
shell-exported = Saved { $path } (the key is not in it: it reads $DASHSCOPE_API_KEY).
shell-export-write-failed = could not write { $path } ({ $error })

# Testing a key (settings window)
shell-key-works = The key works with { $url }.
# $error: the service's answer; $advice: what to do about it.
shell-key-rejected = The key was not accepted: { $error }. { $advice }
shell-key-rejected-with-request = The key was not accepted: { $error }. { $advice } (request_id: { $request_id })
shell-key-enter-first = Enter a key first.

# File dialogs: the name of the file type offered.
shell-filter-images = Images
shell-filter-project = R2V Studio project
shell-filter-video = MP4 video
