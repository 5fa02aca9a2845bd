# Job states, for people (engine::job::JobState::describe)
engine-state-queued = Queued
engine-state-uploading = Uploading references
engine-state-submitting = Submitting
engine-state-submit-unknown = Submission unconfirmed
engine-state-pending = Waiting on the service
engine-state-running = Generating
engine-state-succeeded = Ready to download
engine-state-downloading = Downloading
engine-state-done = Done
engine-state-failed = Failed
engine-state-canceled = Canceled
engine-state-expired = Expired

# Why a reference image cannot be used (engine::images::ImageIssue::describe)
engine-image-empty = The file is empty (0 bytes): choose the image again or export it anew.
engine-image-not-an-image = This file is not an image: use a JPG, PNG or WEBP picture.
# kind: an image format such as HEIC or AVIF.
engine-image-unsupported = { $kind } images are not supported: export the picture as JPG or PNG (e.g. in Photos: Export → JPEG) and add it again.
# detail: the decoder's own (English) explanation.
engine-image-corrupt = The image is damaged and cannot be opened ({ $detail }): re-export or re-download it.
engine-image-too-small = The image is only { $width }×{ $height } px; at least { $min } px per side is needed: use a larger picture.
engine-image-too-large = The image declares { $width }×{ $height } px, more than { $max } px per side: resize it in an editor first.
engine-image-too-heavy = The image could not be made smaller than 20 MB for upload: reduce its size in an editor first.
engine-image-unreadable = The file could not be read ({ $detail }): check that it still exists and that you may open it.

# What upload preparation will change (engine::images)
engine-upload-note-scale-down = { $width }×{ $height } px: will be scaled down to { $max } px on the long side for upload.
engine-upload-note-re-encode = { $megabytes } MB: will be re-encoded under 20 MB for upload.
engine-upload-note-convert = { $kind }: will be converted to PNG or JPEG for upload.
engine-upload-note-upright = Turned upright (EXIF orientation) for upload.

# Why the engine could not start (engine::EngineError::describe)
engine-start-data-dir = could not create the data folder { $path }: { $error }
engine-start-locked = another R2V Studio is already using the data folder { $path }: close it, or use another --data-dir
engine-start-failed = could not start the engine: { $error }
# The job journal (engine::store::StoreError::describe)
engine-store-failed = the job database failed: { $error }
engine-store-record-unreadable = a job record could not be read: { $error }
engine-store-too-new = the job database is from a newer version of R2V Studio (schema { $schema }); update the app

# Notices (engine::runner); error: a technical detail, usually in English.
engine-notice-start-failed = The background engine could not start ({ $error }). Restart the app.
engine-notice-base-url-unusable = The service address is not usable: { $error }. Fix it in the settings.
engine-notice-delete-failed = Could not delete { $path } ({ $error }).
engine-notice-remove-under-way = This job is still under way: cancel it or let it finish before removing it.
engine-notice-review-under-way = This job has not finished yet: star it or add a note once it has ended.
engine-notice-paste-not-saved = The pasted image could not be saved ({ $error }): save it as a file and add that.
engine-notice-journal-failed = The job journal could not be written ({ $error }). Jobs are paused and nothing new is sent; free some disk space and restart the app.
engine-notice-no-such-job = No job { $id } in the history.
engine-notice-cancel-too-late = The task has already started on the service and cannot be cancelled there: it will finish and be billed; the video will be downloaded.
# advice: what to do, e.g. api-advice-connect.
engine-notice-cancel-failed = Cancelling failed ({ $error }). { $advice }
engine-notice-dropped = Dropped. If the service did create a task for it, that task still runs and is billed.
engine-notice-cancel-running = The task is already running on the service and cannot be cancelled: it will finish and be billed; the video will be downloaded.
engine-notice-cancel-made = The video is already made (and billed): it is being downloaded.

# Advice on a failed job (engine::runner)
engine-advice-no-api-key = Add your Model Studio API key in Settings, or set DASHSCOPE_API_KEY, then retry.
engine-advice-invalid-spec = Check the settings and generate again.
engine-advice-file-unreadable = Check that the file still exists (it may have been moved or renamed), then retry.
engine-advice-internal = Retry; if it happens again, restart the app.
engine-advice-expired = Generate again if you still want this video (it is billed as a new task).
# --out is a command-line option; Resume is the jobs list's button.
engine-advice-output-folder = Choose another output folder in Settings (or pass --out), then choose Resume.
engine-advice-bad-video-link = The service gave a video link the app cannot download. Quote the task id to support.

# Passing trouble on a job, shown while it goes on (engine::runner)
engine-warning-stopped-while-submitting = The app stopped while submitting: the task may or may not exist. Looking for it in the task list…
engine-warning-create-unclear = The create call got no clear answer ({ $error }): the task may or may not exist. Looking for it in the task list…
engine-warning-upload-gone = An earlier upload was no longer on the service: uploading the references again.
engine-warning-account-busy = The account is at its limit of running tasks: waiting for a free slot, then submitting again.
engine-warning-create-retry = Nothing was created ({ $error }). { $advice } Trying again shortly.
engine-warning-query-failed = Checking on the task failed ({ $error }). { $advice } Trying again.
engine-warning-sidecar-failed = The video is saved, but its details file could not be written ({ $error }).

# An unconfirmed submission: looking for its task (engine::runner). “Look again” and “Submit anew” are the jobs list's buttons.
engine-adopt-list-unreadable = The task list could not be read ({ $error }), so it is unknown whether this job's task exists. Choose “Look again” later, or “Submit anew” (may be billed twice).
# count is always 2 or more.
engine-adopt-ambiguous = { $count } tasks in the task list could be this job's: the app will not guess. Choose “Look again” later, or “Submit anew” (may be billed twice).
engine-adopt-none = This job's task has not shown up in the task list (yet). That does not mean nothing was created: a task can take a while to appear. Choose “Look again” in a minute; “Submit anew” sends it again and, if a task did get created, pays twice.

# Reference previews (engine::runner)
engine-preview-file-too-large = The file is { $megabytes } MB: too large for a reference image.
engine-preview-oss-link = oss:// links can only be read by the service: no preview.
engine-preview-url-unreachable = The image URL could not be fetched ({ $detail }): check the address, or download the image and add the file.
# The detail in engine-preview-url-unreachable.
engine-preview-url-too-large = larger than 60 MB

# What happened, stored with a failed job (the advice says what to do)
engine-error-no-api-key = No API key is set.
engine-error-invalid-spec = The settings no longer form a valid request.
engine-error-file-unreadable = Reference { $number } could not be read ({ $error }): { $path }
engine-error-image-unusable = Reference { $number }: { $reason } ({ $path })
engine-error-task-failed = The service reported the generation as failed without saying why.
engine-error-expired = The service no longer knows this task: task ids and result links last 24 hours.
engine-error-output-folder = The output folder could not be created ({ $error }): { $path }
engine-warning-download-trouble = The video could not be downloaded yet ({ $error }). { $advice } The app keeps trying while the service keeps the video (24 hours from the start).

# Issue 11: adoption checks, create answers, references and downloads (engine::steps)
engine-warning-adopted-unconfirmed = Found a task in the task list that fits this job (same model, made at the time of the submission); the service has not yet told enough to confirm it is this job's. It is followed as this job's until its prompt, size or length says otherwise.
engine-warning-adopted-mismatch = Task { $task } turned out to be someone else's (its prompt, size or length differs from this job's), so it was let go. Choose “Look again” later, or “Submit anew” (may be billed twice).
engine-adopt-only-foreign = { $count ->
    [one] One task in the task list was made at that time, but it is someone else's (its prompt, size or length differs).
   *[other] { $count } tasks in the task list were made at that time, but they are someone else's (their prompt, size or length differs).
} This job's task has not shown up yet: it may still appear. Choose “Look again” in a minute; “Submit anew” sends it again and, if a task did get created, pays twice.
engine-warning-create-bad-task-id = The service's answer to the create call carried a task id that cannot be one: the task may or may not exist. Looking for it in the task list…
engine-warning-create-not-sent = The service could not be reached, so nothing was sent. Trying again shortly.
engine-error-reference-is-folder = Reference { $number } is a folder, not a picture: { $path }
engine-error-reference-too-large = Reference { $number } is { $megabytes } MB, more than the { $limit } MB a reference picture may have: { $path }
engine-advice-reference-too-large = Save a smaller copy of the picture (a JPEG of a few MB is plenty), add that, and retry.
engine-notice-cancel-no-task = This job has no task on the service to cancel.
engine-error-video-too-large = The video link announces { $megabytes } MB, far more than any video of this service: it is not downloaded.
engine-error-disk-full = The video needs { $megabytes } MB but only { $free } MB are free where it goes: { $path }
engine-advice-disk-full = Free some space on that disk (or choose another output folder in Settings or with --out); the download continues by itself, while the service keeps the video (24 hours).
engine-warning-bad-video = { $reason } Asking the service for the link again.
engine-error-output-full = The disk is full: the video could not be written ({ $error }): { $path }
engine-error-output-read-only = The output folder cannot be written to ({ $error }): { $path }
engine-error-not-a-video = What the video link gave is not an MP4 video (a web page or an error message instead).
engine-takes-out-of-range = Takes are asked for as 1 to { $max } distinct jobs; this request had { $count }. Nothing was sent.

# Why a finished job shows no poster frame (engine::posters::PosterError::describe)
engine-poster-no-video = This job has no finished video.
# path: where the job's video was saved.
engine-poster-missing = The video is no longer at { $path }: it was moved, renamed or deleted. Put it back there, or remove the job from the list.
# reason: why the clip cannot be shown (a video-error-… message).
engine-poster-undecodable = No poster frame: { $reason }
engine-client-version = This R2V Studio ({ $theirs }) cannot work with the one already running for this data folder ({ $ours }): close the other one, or use the same version.
engine-client-bad-request = The running R2V Studio could not read a request from another process ({ $detail }): nothing was done for it; try again, and use the same version of the app everywhere.

# A Generate stopped by the duplicate-spend guard (engine::Refusal)
engine-duplicate-setup = Not sent: the same setup (same pictures, names, prompt and settings) is already job { $id }, under way or finished less than 30 minutes ago. Sending it again pays again: make another take on purpose, or change something first.
