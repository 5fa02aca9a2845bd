# 视频无法在应用内显示的原因（video::VideoError::describe）。每条都说明系统播放器仍可打开。
video-error-not-built-in = 此版本的应用未内置视频播放器，视频将用系统播放器打开。
# detail：操作系统给出的（英文）说明。
video-error-unreadable = 无法读取视频文件（{ $detail }）：请确认文件仍在且有权限打开。系统播放器或许仍能打开它。
video-error-empty = 视频文件是空的（0 字节）：请在任务中重新下载。系统播放器同样无法显示它。
video-error-not-mp4 = 此文件不是 MP4 视频，应用无法播放：请尝试用系统播放器打开。
video-error-truncated = 视频文件不完整（下载可能被中断）：请在任务中重新下载，或试试系统播放器，它可能能播放已有的部分。
video-error-no-video = 此文件没有视频画面（只有声音或数据）：请用系统播放器打开。
# codec：视频格式名称，如 HEVC (H.265) 或 AV1。
video-error-codec = 此视频的编码格式是 { $codec }，应用的播放器不支持（它播放 H.264）：请用系统播放器打开。
# detail：解码器给出的（英文）说明。
video-error-stream = 此 H.264 视频使用了应用播放器不支持的特性（{ $detail }）：请用系统播放器打开。
video-error-dimensions = 视频声明的画面尺寸为 { $width }×{ $height } 像素，应用拒绝解码（每边最多 { $max } 像素）：文件可能已损坏，请试试系统播放器。
# detail：损坏之处（英文）。
video-error-corrupt = 视频已损坏，无法在此播放（{ $detail }）：请重新下载，或试试系统播放器。
video-error-out-of-range = 第 { $index } 帧不存在：此片段共 { $count } 帧。系统播放器仍可打开它。
# codec：声音格式名称，如 Opus、MP3 或 HE-AAC。
video-error-audio-codec = 此视频的声音编码格式是 { $codec }，应用不支持（它播放 AAC）：画面将在此无声播放；要听声音，请用系统播放器打开视频。

# 视频声音无法在窗口内播放的原因（audio::SoundError::describe）。
sound-error-not-built-in = 此版本的应用只能在系统播放器中播放声音：要听声音，请在系统播放器中打开视频。
sound-error-no-device = 这台电脑上没有找到声音输出设备，视频将无声播放：请连接扬声器或耳机后重新打开视频，或使用系统播放器。
# detail：声音系统给出的（英文）说明。
sound-error-device = 无法使用声音输出（{ $detail }），视频将无声播放：请检查电脑的声音设置后重新打开视频，或使用系统播放器。
