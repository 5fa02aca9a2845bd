# 播放器：在窗口内播放视频（ui::player）
player-opening = 正在打开视频…
# 视频尺寸与帧率，例如 "1920×1080 · 24 fps"
player-clip-info = { $width }×{ $height } · { $fps } 帧/秒
player-close = 关闭
player-close-hint = 关闭播放器（Esc），回到编辑区
player-show-in-folder = 在文件夹中显示
player-open-system = 用系统播放器打开
player-play = 播放
player-pause = 暂停
player-play-hint = 播放或暂停（空格键）
player-step-back = 后退一帧（← 或 ,）
player-step-forward = 前进一帧（→ 或 .）
# 当前帧的时间与视频总长，格式为 分:秒.帧
player-time = { $time } / { $total }
# 当前显示的是第几帧（从 1 开始）
player-frame = 第 { $frame } 帧，共 { $count } 帧
player-loop = 循环
player-loop-hint = 播完后从头再播
player-mute = 静音
player-volume = 音量
player-sound-elsewhere = 窗口内暂不播放声音：要听声音，请用系统播放器打开视频。
# 进度条的无障碍名称
player-scrub = 视频中的位置

## 任务列表
jobs-play-in-window = 在窗口内播放
jobs-play-in-window-hint = 点击在窗口内播放视频
