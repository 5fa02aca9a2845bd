# Jobs and history panel (ui::jobs)
jobs-empty = Nothing yet. Generated videos appear here while they are made, and are saved to your output folder.
jobs-no-match = No job matches the filters.

## Header: search, filters and totals
jobs-title = Jobs
jobs-search = Search
# Hint inside the search field
jobs-search-hint = words in the prompt
# Label of the state filter
jobs-show = Show
jobs-filter-all = All
jobs-filter-active = Under way
jobs-filter-done = Done
jobs-filter-problems = Needs attention
# Label of the model filter
jobs-model = Model
jobs-all-models = All models
# Spend of finished jobs; seconds are billed seconds, costs have two decimals, currency is e.g. CNY
jobs-totals = Today { $day_seconds } s ≈ { $day_cost } { $currency } · This month { $month_seconds } s ≈ { $month_cost } { $currency }
jobs-totals-hint = Billed seconds of finished jobs; the money is an estimate from the price table.

## Status line of a job; $state is the job state in words (e.g. Generating)
jobs-queued = { $state } (position { $position })
# $elapsed and $left are minutes:seconds, e.g. 1:05
jobs-running-left = { $state } · { $elapsed } · about { $left } left
jobs-running-late = { $state } · { $elapsed } · taking longer than usual
# $speed is a file size such as 2.0 MB
jobs-downloading = { $state } { $percent }% · { $speed }/s
jobs-done = { $state } · billed { $seconds } s
jobs-done-estimate = { $state } · billed { $seconds } s ≈ { $cost } { $currency } (estimate)

## Details line of a job
# Length of the video
jobs-duration = { $seconds } s
# The video has sound
jobs-sound = sound
# Time left, e.g. 23h05m
jobs-hours-minutes = { $hours }h{ $minutes }m
jobs-task-id-valid = task id valid { $time }
jobs-link-valid = link valid { $time }
# request_id is the service's name for the id of a call: keep it as is
jobs-request-id = request_id { $id }

## Actions
jobs-more = More
jobs-restore = Restore settings into the editor
jobs-copy-task-id = Copy task id
jobs-copy-request-id = Copy request id
jobs-copy-json = Copy the request as JSON
jobs-copy-curl = Copy the request as curl
jobs-remove = Remove from the list (keeps the video)
jobs-remove-delete = Remove and delete the video…
jobs-show-in-folder = Show in folder
jobs-play = Play
jobs-cancel = Cancel
jobs-submit-anew = Submit anew…
jobs-look-again = Look again
jobs-retry = Retry…
# Small button that copies the request_id of a failed call
jobs-request-id-button = request_id
jobs-request-id-hint = Copy the request_id to quote to support

## Confirmation dialogs
jobs-retry-title = Retry this generation?
jobs-retry-body = Retrying creates a new task on the service and is billed again.
jobs-retry-body-estimate = Retrying creates a new task on the service and is billed again (about { $price } { $currency }, an estimate).
jobs-retry-yes = Retry (billed again)
jobs-retry-no = Keep as it is
jobs-retry-over-daily = It would go over your daily cap: { $spent } of today’s { $limit } { $currency } is already spent or on its way.
jobs-retry-over-monthly = It would go over your monthly cap: { $spent } of this month’s { $limit } { $currency } is already spent or on its way.
jobs-retry-yes-over = Retry anyway, over the cap
jobs-resubmit-title = Submit anew?
jobs-resubmit-body = It is not known whether the first submission created a task. Submitting anew may create a second task, and both would be billed. Choose “Look again” instead if you can wait.
jobs-resubmit-yes = Submit anew (may be billed twice)
jobs-resubmit-no = Not now
jobs-delete-title = Delete the video?
jobs-delete-body = The MP4 and its details file are deleted from disk, and the job leaves the list. This cannot be undone.
jobs-delete-yes = Delete
jobs-delete-no = Keep
# A failed or expired job: its state, the error code, what happened.
jobs-failed-detail = { $state } ({ $code }): { $message }
# A set of takes: the same setup sent several times, grouped in the list.
jobs-take = Take { $index }/{ $of }
jobs-take-retry = Take { $index }/{ $of } (retry)
jobs-set-takes = { $takes } takes
jobs-set-state-count = { $state }: { $count }
jobs-set-expand = Show the { $takes } takes
jobs-set-collapse = Hide the takes
jobs-set-billed = billed { $seconds } s
jobs-set-billed-estimate = billed { $seconds } s · ≈ { $cost } { $currency } in all (estimate)
jobs-set-estimate = ≈ { $cost } { $currency } in all (estimate)
jobs-set-seeds-drawn = each take its own seed
jobs-set-seed-shared = seed { $seed }
jobs-set-more = Set
jobs-set-restore = Restore the set's settings into the editor
jobs-take-seed = Seed { $seed }
# A finished job's picture in its row: a frame of its own video.
jobs-poster = Video frame
# In a row's picture box, when the job's video file is no longer where it was saved.
jobs-poster-missing = Video moved or deleted

# Choosing videos to compare side by side.
jobs-compare = Compare { $count }
jobs-compare-hint = Play the chosen videos side by side on one clock (up to { $max })
jobs-compare-one-more = Choose one more finished video to compare
jobs-compare-clear = Clear choice
jobs-compare-choose = Choose for comparison
jobs-compare-choose-hint = Choose this video to compare it side by side with others (2 to { $max })
jobs-compare-full = { $max } videos are chosen already: that is as many as fit side by side
jobs-set-compare = Compare takes
jobs-set-compare-hint = Play this set's finished takes side by side on one clock
jobs-set-compare-too-few = Comparing needs at least two finished takes
jobs-starred = Starred
