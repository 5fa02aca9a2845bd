# The settings window (ui::settings)
settings-title = Settings

# Region
settings-region = Region
settings-region-models = Models served here: { $models }
settings-region-custom = Use another address (e.g. a workspace address)
settings-region-note = A key works only in the region where it was created, and each region serves its own models. The region's shared address is { $shared }. Newer accounts may be given a workspace address of the form { $workspace }: copy it from the console with your workspace id in place of {"{"}WorkspaceId{"}"}.
settings-region-unconfirmed = This region's shared address is not yet confirmed by an official page for these models; if Test fails, use your workspace address.

# Output folder
settings-output-folder = Output folder
# Shown instead of a path when no folder was chosen.
settings-output-default = Videos/R2V Studio (default)
settings-output-choose = Choose…
# Button: go back to the default output folder.
settings-output-use-default = Default

# Limits
settings-limits = Limits
settings-jobs-per-model = Jobs at once per model
settings-checks-per-second = Status checks per second (all jobs)

# Prices; $currency is a currency code such as CNY.
settings-prices = Price table (estimates)
settings-prices-note = { $currency } per billed second. No official price is published: adjust to your bill.
settings-prices-reset = Reset prices

# Language and theme. Each language's name is written in that language, in both catalogues.
settings-language-and-theme = Language and theme
settings-language-english = English
settings-language-chinese = 简体中文
settings-theme-system = Follow the system
settings-theme-light = Light
settings-theme-dark = Dark

settings-save = Save
settings-close = Close

# API key
settings-key = API key
settings-key-from-environment = From DASHSCOPE_API_KEY: the environment variable wins over a saved key.
settings-key-in-keychain = Saved in the system keychain.
settings-key-in-file = Saved in a file only you can read (no keychain on this system).
settings-key-none = No key yet.
settings-key-demo = Demo: jobs go to the built-in simulator with its own key; a key saved here is used when you start R2V Studio without --demo.
settings-key-file-warning = Warning: a file is less safe than a keychain. Anyone with access to your user account can read it.
# $problem: the keychain's own error message.
settings-keychain-unavailable = The system keychain is not available ({ $problem }). Tick the box below to keep the key in a private file instead.
settings-key-hint = Paste a new key (sk-…)
settings-key-save = Save key
settings-key-test = Test
settings-key-test-tooltip = Makes a free call with the key (lists one task) and reports the answer.
settings-key-forget = Forget
settings-key-allow-file = If there is no keychain, keep the key in a file only I can read
settings-key-testing = Testing…

# Budget caps (ui::settings)
settings-budget = Budget
settings-budget-note = Caps on estimated spend in { $currency }, from the price table above, counting every job billed or on its way. A Generate that would go over a cap asks first. The command line uses the same caps (r2v-studio config set budget.daily 20).
settings-budget-daily = Daily cap
settings-budget-monthly = Monthly cap
