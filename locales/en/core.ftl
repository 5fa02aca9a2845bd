# Reference names (core::refname)
name-empty = The name is empty: give the reference a short name such as hero or cafe.
name-too-long = The name is { $bytes } bytes long; at most { $max } are allowed (about 10 Chinese characters): shorten it.
name-whitespace = The name contains a space: use letters, digits or _ only.
name-at-sign = The name contains @: leave it out (the prompt adds @ when it mentions the name).
name-punctuation = The name contains “{ $char }”: use letters, digits or _ only.

# Validation problems (core::spec)
problem-images-none = Add at least one reference image.
problem-images-too-many = { $count } reference images: at most { $max } are allowed. Remove { $remove }.
problem-ref-name = Reference { $number }: { $reason }
problem-ref-name-duplicate = Reference { $number }: the name { $name } is already used by another reference: give each one its own name.
problem-ref-source-empty = Reference { $number } has no file or URL: choose an image.
problem-ref-url-invalid = Reference { $number }: the URL must start with http://, https:// or oss:// and name a host: { $url }
problem-prompt-empty = Write a prompt: describe the video and mention references as @name.
problem-prompt-too-long = The prompt has { $chars } characters (counting the space after each mention); { $model } accepts at most { $limit }: remove { $over }.
problem-mention-unknown-hint = @{ $mention } is not a reference name. If you meant @{ $prefix }, put a space after it.
problem-mention-unknown = @{ $mention } is not a reference name: rename a reference to { $mention } or fix the mention.
problem-mention-missing = The prompt mentions other references but not @{ $name }: mention every reference, or none.
problem-tier-unavailable = { $model } does not offer { $tier }: choose another resolution.
problem-ratio-unavailable = { $model } does not offer { $ratio }: choose one of { $offered }.
problem-duration-invalid = { $duration } s is not available for { $model } at { $tier }: choose { $durations } seconds.
problem-seed-out-of-range = Seed { $seed } is out of range: use { $min } to { $max }, or a random seed.
# Joins the offered ratios in problem-ratio-unavailable.
list-separator = {", "}

# Adjustments after a model switch (core::spec)
note-tier-switched = { $old } is not available on { $model }: switched to { $new }.
note-ratio-switched = { $old } is not available on { $model }: switched to { $new }.
note-duration-switched = { $old } s is not available on { $model } at { $tier }: switched to { $new } s.

# Models (core::capabilities)
model-c1-description = Fights, spell effects, fast motion and multi-panel scenes.
model-v56-description = General scenes with natural, steady motion.
model-v6-description = PixVerse V6 for the international (Singapore) region. Its limits are not yet confirmed by an official page.
region-beijing = China (Beijing)
region-singapore = International (Singapore)

# Spending rules (core::spend)
spend-cap-invalid = “{ $value }” is not a cap: give an amount above 0 (such as 20 or 12.5), or “off” for no cap.
spend-over-daily = Not sent: this job would cost about { $cost } { $currency }, and { $spent } of today’s cap of { $limit } { $currency } is already spent or on its way. Send it anyway, raise or remove the daily cap in Settings, or wait until tomorrow.
spend-over-monthly = Not sent: this job would cost about { $cost } { $currency }, and { $spent } of this month’s cap of { $limit } { $currency } is already spent or on its way. Send it anyway, or raise or remove the monthly cap in Settings.
