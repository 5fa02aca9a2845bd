# Problems that the command line's flags reveal (cli::build_spec). Quoted values
# ($model, $tier, $ratio) arrive with their quotes.
cli-problem-model-unknown = Unknown model { $model }: use c1, v5.6, or a full name such as pixverse/pixverse-c1-r2v.
cli-problem-size-unavailable = { $model } does not offer the size { $size }: use one of { $offered }.
cli-problem-tier-unknown = Unknown resolution { $tier }: use 360p, 540p, 720p or 1080p.
cli-problem-ratio-unknown = Unknown aspect ratio { $ratio }: use 16:9, 4:3, 1:1, 3:4, 9:16, 3:2, 2:3 or 21:9.
cli-problem-prompt-file-unreadable = Could not read the prompt file ({ $error }): check the path. { $path }
cli-problem-prompt-file-not-utf8 = The prompt file is not UTF-8 text: save it as UTF-8 (in your editor, or with `iconv -f GBK -t UTF-8 IN > OUT`), or pass the prompt with --prompt. { $path }
cli-problem-ref-file-missing = Reference { $number }: no such file: { $path }
cli-problem-ref-is-folder = Reference { $number } is a folder, not an image file: give one picture inside it. { $path }
# $size and $limit are decimal megabytes with one decimal.
cli-problem-ref-too-large = Reference { $number } is { $size } MB, more than the { $limit } MB the app reads: export a smaller picture (the service takes up to 20 MB). { $path }
# Above the list of problems (each on its own line below it).
cli-problems-heading = { $count ->
    [one] 1 problem to fix before generating:
   *[other] { $count } problems to fix before generating:
}

# dry-run (stderr, after the request body and the curl command)
cli-dry-run-internal-error = internal error: a validated spec did not give a request
cli-dry-run-upload-note = Note: local files are uploaded to Model Studio's temporary storage first; each oss://dashscope-instant/<upload of …> stands for the oss:// key the upload gets.
# $price has two decimals; $currency is a code such as CNY.
cli-dry-run-price = Estimated price: about { $price } { $currency } (an estimate, not an official price).

# sim: the built-in simulator. $flag is a command-line flag such as --fail-rate.
cli-sim-rate-out-of-range = { $flag } must be between 0 and 1
cli-sim-task-seconds-invalid = --task-seconds must be a number of seconds ≥ 0
cli-sim-runtime-failed = could not start the async runtime: { $error }
cli-sim-listen-failed = could not listen on 127.0.0.1:{ $port } ({ $error }): choose another --port
cli-sim-listening = listening on { $url }
cli-sim-stopped = simulator stopped

# generate, resume, cancel, jobs, show
cli-start-failed = Could not start: { $error }
# $seconds is how long `resume --wait` waits; $path is the data folder.
cli-waiting-for-data-folder = Another R2V Studio is using the data folder: waiting up to { $seconds } s for it to finish (Ctrl-C stops). { $path }
# The first journal write of a new job failed; $error says why, $path is the data folder.
cli-not-journaled = Job { $id } could not be saved in the journal ({ $error }), so nothing was sent to the service. Make sure the data folder is writable and the disk has free space, then run the command again. { $path }
# After a notice from the engine (e.g. the journal failed) that stopped a job.
cli-engine-trouble = Job { $id } stopped because of the problem above: fix it, then run `r2v-studio resume`.
cli-no-key = No API key: set DASHSCOPE_API_KEY to a Model Studio key from the Beijing region (export DASHSCOPE_API_KEY=sk-…). To try without an account, run `r2v-studio sim` and pass --base-url with the address it prints, with DASHSCOPE_API_KEY=sk-demo.
cli-generate-interrupted = Interrupted. Job { $id } is saved in the journal: run `r2v-studio resume` to continue it.
cli-generate-interrupted-unsaved = Interrupted before job { $id } was saved in the journal: nothing was sent to the service.
cli-resume-nothing = Nothing to resume: every job is finished.
cli-resume-interrupted = Interrupted. Unfinished jobs stay in the journal: run `r2v-studio resume` again to continue.
cli-resume-finished-meanwhile = Job { $id } was finished in the meantime by another R2V Studio:
# $state is the job's state in lower case, e.g. "done" or "canceled".
cli-cancel-already-final = Job { $id } is already { $state }.
cli-cancel-done = Canceled job { $id }.
cli-jobs-none = No jobs yet.
# The length column of the `jobs` table (a video's length in seconds).
cli-jobs-duration = { $seconds }s
# $query is what the user typed, in quotes.
cli-find-no-match = No single job matches { $query }: see `r2v-studio jobs --all`.
# $query is what the user typed, in quotes; $min is a number of characters.
cli-find-too-short = { $query } is too short to name a job: give at least { $min } characters of the id `r2v-studio jobs` prints, the whole job id, or the task id.
# Above the list of jobs that match (one per line below it).
cli-find-ambiguous = { $query } matches more than one job: give more characters, or the whole id:
# Below the list when it is cut short.
cli-find-more = … and more
# The window was to open with pictures; one of them is not a file or an image URL.
cli-window-no-such-picture = No such picture: open the window with existing image files or image URLs, or run `r2v-studio --help` for the commands. { $path }
cli-window-folder = This is a folder, not a picture: give image files inside it. { $path }
# $command is the mistyped word in quotes; $commands lists every command.
cli-unknown-command = Unknown command { $command }. The commands are: { $commands }. Run `r2v-studio --help` for more.
cli-unknown-command-suggest = Unknown command { $command }: did you mean `r2v-studio { $suggestion }`? Run `r2v-studio --help` for every command.
cli-journal-unreadable = Could not read the journal: { $error }

# The final word on a job. The three "done" lines are printed one below the other.
cli-report-done = Done: { $video }
cli-report-details = Details: { $sidecar }
cli-report-billed = Billed: { $seconds } s (task { $task })
# $code and $message are the service's own; $advice says what to do.
cli-report-error = { $code }: { $message } — { $advice }
# Follows cli-report-error when the service gave a request id.
cli-report-request-id = {" "}(request_id: { $request_id })
# $state is the job's state in lower case; $reason is cli-report-error or the state.
cli-report-ended = Job { $id } { $state }: { $reason }
cli-report-waits = Job { $id } waits for you: open R2V Studio to choose, or run `r2v-studio resume` to look again.
cli-report-submitted = Submitted: job { $id } (task { $task }). Run `r2v-studio resume` to wait for it and download the video.
cli-report-stopped = Job { $id } stopped: { $message } — { $advice }

# The progress line while a job runs (after the job's short id).
cli-watch-uploading = uploading reference { $number } { $percent }%
# $progress is a percentage or cli-watch-kilobytes; $speed has one decimal.
cli-watch-downloading = downloading { $progress } ({ $speed } MB/s)
cli-watch-kilobytes = { $kilobytes } KB
cli-watch-queued = queued, position { $position }

# Settings file and key store errors (settings.rs)
cli-settings-damaged = { $path } is damaged ({ $error }); the defaults are used
cli-settings-unreadable = could not read { $path } ({ $error })
cli-settings-create-failed = could not create { $path } ({ $error })
cli-settings-write-failed = could not write { $path } ({ $error })
cli-settings-key-not-saved = the keychain failed ({ $keychain_error }) and so did the file ({ $file_error })

# Project file errors (project.rs)
cli-project-write-failed = could not write { $path } ({ $error })
cli-project-read-failed = could not read { $path } ({ $error })
cli-project-not-a-project-because = { $path } is not an R2V Studio project ({ $error })
cli-project-not-a-project = { $path } is not an R2V Studio project
cli-project-too-new = { $path } was saved by a newer R2V Studio (project version { $version }): update the app
cli-dry-run-price-takes = Estimated price: about { $total } { $currency } for { $takes } takes ({ $takes } × { $price }; an estimate, not an official price).
cli-dry-run-takes-random = The same request is sent { $takes } times, each take with its own random seed (shown above without one).
cli-dry-run-takes-fixed = The same request is sent { $takes } times with seed { $seed }; on this service the same seed does not make identical videos.
cli-takes-summary = { $done } of { $takes } takes done.
cli-report-handed-over = Job { $id } is journaled: the R2V Studio already running for this data folder sends it and finishes it (follow it with `r2v-studio show { $id }`).

# generate refused by a spending rule (cli::jobs::print_refusal)
cli-refused-duplicate-hint = Nothing was sent. To follow the earlier job: r2v-studio show { $id }. To pay for another take on purpose, run the same command with --again.
cli-refused-budget-hint = Nothing was sent. To send it anyway, run the same command with --over-budget; to change the caps: r2v-studio config set budget.daily AMOUNT (or off).

# r2v-studio config (settings::Settings::set, cli::config)
cli-settings-key-unknown = There is no setting “{ $key }”. `r2v-studio config list` shows every one.
cli-settings-value-invalid = “{ $value }” is not a value for { $key }. `r2v-studio config list` shows the current values; see README for what each takes.
cli-config-not-saved = Nothing was changed: fix or remove the settings file first (the window can also save new settings).
