# Settings kept inside a video, the reference archive, and restoring a video's
# setup (provenance::ProvenanceError::describe and the settings window).
# error: the operating system's own (English) explanation; path: the file.
provenance-error-read = The file could not be read ({ $error }): check that it still exists and that you may open it. { $path }
provenance-error-write = The file could not be written ({ $error }): check that the folder is writable and has free space. { $path }
provenance-error-empty = The file is empty (0 bytes), so it holds no video and no settings.
provenance-error-not-mp4 = This file is not an MP4 video, so it holds no settings of R2V Studio: choose a video the app made.
# detail: what was found damaged, in English.
provenance-error-corrupt = The video is damaged ({ $detail }), so its settings cannot be read or written: download it again from its job.
provenance-error-no-index = The video has no index (it may be incomplete), so its settings cannot be read or written: download it again from its job.
provenance-error-fragmented = The video is in a streaming (fragmented) layout, which the app does not write settings into: the video itself is fine.
provenance-error-index-too-large = The video's index is unusually large ({ $megabytes } MB), so the app does not read it: the file may be damaged.
provenance-error-tag-too-large = The settings are too large to keep in the video ({ $kilobytes } KB): shorten the prompt.
provenance-error-no-settings = This video was not made by R2V Studio or has lost its settings: choose the original file the app downloaded.
# detail: why the stored settings were refused, in English.
provenance-error-bad-settings = The settings stored in this video cannot be read ({ $detail }): the video was changed by another program, or by a newer R2V Studio.
provenance-error-too-new = The settings in this video were written by a newer R2V Studio (format { $format }): update the app to restore them.
# detail: the network's or server's own (English) explanation; url: the reference's address.
provenance-error-fetch = The reference could not be fetched for the archive ({ $detail }): check the address and the network, then try again. { $url }
provenance-error-fetch-too-large = The reference is larger than { $limit } MB, so it was not kept in the archive: use a smaller picture. { $url }
# After a download (the job is done all the same). error: why, in words; path: the video.
provenance-notice-not-tagged = The video is saved, but its settings could not be written into it ({ $error }); the settings file beside it still has them. { $path }
# While a job's references are read (the job goes on). number: the reference's place; error: why, in words.
provenance-notice-not-archived = Reference { $number } could not be kept in the reference archive ({ $error }); the job goes on, but restoring this video later may not find that picture.

# The settings window's reference archive section.
provenance-archive-heading = Reference archive
provenance-archive-note = Every picture a job used is kept here, so that a video's settings can be restored after the original files have moved or been deleted.
provenance-archive-measuring = Measuring the archive…
# count: pictures kept; size: a file size such as 2.4 MB.
provenance-archive-size = { $count ->
    [one] 1 picture
   *[other] { $count } pictures
}, { $size }
# After a clean-up. count: pictures removed; size: the space freed.
provenance-archive-removed = Removed { $count ->
    [one] 1 picture
   *[other] { $count } pictures
} ({ $size }).
provenance-archive-prune = Remove references no job uses
provenance-archive-prune-tooltip = Deletes the kept pictures that no job in the history uses any more (for example after jobs were removed from the list). Pictures of the jobs in the list stay.

# A video dropped onto the window.
provenance-restored = Settings restored from the video into the editor.
# count: references whose pictures are neither where they were nor in the archive.
provenance-restored-missing = Settings restored from the video, but { $count ->
    [one] 1 picture was
   *[other] { $count } pictures were
} not found on this computer: choose { $count ->
    [one] it
   *[other] them
} again.
