# Parameters panel (ui::params)
editor-params-model = Model
editor-params-model-unconfirmed = Unconfirmed: this model's sizes and limits come from third-party pages.
editor-params-model-unconfirmed-tooltip = No official Model Studio page confirmed these values yet. If the service refuses a request, its answer says what it expects.
editor-params-resolution = Resolution
editor-params-ratio = Aspect ratio
# The output size in pixels, e.g. "1280 × 720 px".
editor-params-size = { $size } px
editor-params-length = Length
# Unit after the number on the length slider.
editor-params-seconds-suffix = {" "}s
editor-params-seconds = { $seconds } s
editor-params-sound = Sound (music or effects to match)
editor-params-watermark = Watermark “AI生成”
editor-params-seed = Seed
editor-params-seed-roll = Roll a new seed
editor-params-seed-random = Random
editor-params-seed-fixed = Fixed
editor-params-seed-note = The same seed does not guarantee the same video.
# $price has two decimals; $currency is a code such as CNY.
editor-params-price = ≈ { $price } { $currency } (estimate)
editor-params-price-hint = Estimated from an editable price table: no official per-second price is published for these models.
editor-params-no-price = No price estimate
editor-params-generate = Generate
# Keyboard shortcut shown on the Generate button.
editor-params-generate-shortcut = Ctrl+Enter
editor-params-show-request = Show the request (JSON / curl)
editor-params-problems = { $count } to fix before generating:

# Prompt editor (ui::prompt_editor)
editor-prompt-label = Prompt
editor-prompt-hint = Describe the video. Type @ to mention a reference, e.g. “@hero walks into @cafe”.
editor-prompt-unknown-name = No reference is named { $name }.
editor-prompt-over-limit = { $over } characters over the limit of { $model }
editor-prompt-counter-note = characters (a space is added after each mention) · Ctrl+Z undoes
# $mentions: the unknown mentions, e.g. "@dog @cat".
editor-prompt-unknown-mentions = Unknown: { $mentions } (no reference has this name)

# Reference cards (ui::references)
editor-refs-title = References
editor-refs-add-images = Add images…
editor-refs-add-images-hint = JPG, PNG or WEBP. You can also drop files on the window or paste an image (Ctrl+V).
editor-refs-url-hint = or an image URL (https://…)
editor-refs-add-url = Add URL
editor-refs-remove = Remove this reference
editor-refs-drag = Drag to reorder
editor-refs-reading = Reading…
# The empty card after the references; keep the line breaks short.
editor-refs-empty-card =
    ＋
    Drop images here,
    paste, or click to add

# Editor state (ui::state)
editor-state-name-taken = Another reference already has this name.
# $files: the files or URLs that were not added, joined by list-separator.
editor-state-left-out = At most { $max } references: left out { $files }.
editor-state-paste-full = At most { $max } references: remove one to paste another.
editor-state-not-url = That is not a web address: it must start with http:// or https://.
editor-state-ref-unusable = Reference { $number }: { $reason }
editor-state-sent = Sent: the job runs in the background. You can prepare the next one.
editor-state-restored = Settings restored into the editor.
editor-state-video-ready = Video ready: { $path }
# A job that ended without a video: its state, then advice.
editor-state-job-ended = { $state }: { $advice }
# Title of the desktop notification when a job ends.
editor-state-notify-title = R2V Studio: { $state }
editor-params-takes = Takes
editor-params-takes-hint = Send the same setup several times and compare the results. Each take is a task of its own and is billed.
editor-params-takes-button = { $takes ->
    [one] Send one take
   *[other] Send { $takes } takes of the same setup
}
editor-params-takes-random-seed = Each of the { $takes } takes gets its own random seed.
editor-params-takes-fixed-seed = Every take uses seed { $seed }. On this service the same seed does not make identical videos: the takes will still differ.
editor-params-generate-takes = Generate { $takes } takes
editor-params-total-price = Total ≈ { $total } { $currency } ({ $takes } × { $price }, estimate)
editor-params-total-no-price = { $takes } takes, each billed; no price estimate
editor-state-sent-takes = Sent { $takes } takes: they run in the background and are grouped in the jobs list.

# Spend beside Generate, and a Generate a spending rule stopped (ui::editor::spend)
editor-spend-no-caps = Spent today { $today } · this month { $month } { $currency } (estimates)
editor-spend-today = Budget today: { $spent } of { $limit } { $currency }
editor-spend-month = Budget this month: { $spent } of { $limit } { $currency }
editor-spend-hint = Estimates from the price table in Settings, counting every job billed or on its way. Caps are set in Settings or with r2v-studio config set budget.daily.
editor-spend-would-exceed = This Generate (about { $cost } { $currency }) goes over a cap: you will be asked first.
editor-refused-duplicate-title = The same setup again?
editor-refused-budget-title = Over your budget
editor-refused-finished-ago = Finished { $minutes } min ago.
editor-refused-under-way = { $state }, { $elapsed } in.
editor-refused-another-take = Make another take
editor-refused-play = Play it
editor-refused-send-anyway = Send it anyway, this once
editor-refused-cancel = Don’t send
