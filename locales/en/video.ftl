# Why a video cannot be shown in the app (video::VideoError::describe). Each
# message ends by saying that the system player can still open the file.
video-error-not-built-in = This copy of the app was built without its video player, so videos open in the system player.
# detail: the operating system's own (English) explanation.
video-error-unreadable = The video file could not be read ({ $detail }): check that it still exists and that you may open it. The system player may still open it.
video-error-empty = The video file is empty (0 bytes): download it again from the job. The system player cannot show it either.
video-error-not-mp4 = This file is not an MP4 video, so the app cannot play it: try opening it in the system player.
video-error-truncated = The video file is incomplete (the download may have been cut short): download it again from the job, or try the system player, which may show the part that is there.
video-error-no-video = The file holds no video picture (only sound or data): open it in the system player.
# codec: a video format name such as HEVC (H.265) or AV1.
video-error-codec = This video is compressed as { $codec }, which the app's player does not decode (it plays H.264): open it in the system player.
# detail: the decoder's own (English) explanation.
video-error-stream = This H.264 video uses a feature the app's player does not decode ({ $detail }): open it in the system player.
video-error-dimensions = The video declares a picture of { $width }×{ $height } px, which the app refuses to decode (at most { $max } px per side): the file may be damaged; try the system player.
# detail: what was found damaged, in English.
video-error-corrupt = The video is damaged and cannot be played here ({ $detail }): download it again, or try the system player.
video-error-out-of-range = Frame { $index } does not exist: the clip has { $count } frames. The system player can still open it.
# codec: a sound format name such as Opus, MP3 or HE-AAC.
video-error-audio-codec = The sound of this video is compressed as { $codec }, which the app does not play (it plays AAC): the picture plays without sound here; open the video in the system player to hear it.

# Why the sound of a video does not play in the window (audio::SoundError::describe).
sound-error-not-built-in = This copy of the app plays sound in the system player only: open the video there to hear it.
sound-error-no-device = No sound output was found on this computer, so the video plays without sound: connect speakers or headphones and open the video again, or use the system player.
# detail: the sound system's own (English) explanation.
sound-error-device = The sound output could not be used ({ $detail }), so the video plays without sound: check the computer's sound settings and open the video again, or use the system player.
