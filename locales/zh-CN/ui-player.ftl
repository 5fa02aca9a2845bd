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
# 进度条的无障碍名称
player-scrub = 视频中的位置

## 任务列表
jobs-play-in-window = 在窗口内播放
jobs-play-in-window-hint = 点击在窗口内播放视频

# 对比表：2 到 4 个视频并排，同一时钟播放。
sheet-title = 正在对比 { $videos } 个视频
sheet-too-few = 请至少选择两个已完成且仍在磁盘上的视频进行对比。
sheet-take = 第 { $index } 条（共 { $of } 条）
sheet-video = 视频 { $number }
sheet-seed = 种子 { $seed }
sheet-seed-random = 种子由服务随机生成（未知）
sheet-star = 为{ $take }加星标
sheet-star-hint = 为喜欢的一条加星标（随任务保存，并显示在列表中）
sheet-note = { $take }的备注
sheet-note-hint = 备注…
sheet-note-about = 对这一条的简短备注，离开输入框时随任务保存
sheet-use-settings = 使用此设置
sheet-use-settings-of = 使用{ $take }的设置
sheet-use-settings-hint = 把这一条的参考图、提示词和设置（包括它的种子）放回编辑区
sheet-wipe = A/B 划像
sheet-wipe-hint = 在同一画面中显示两个视频：分界线左侧为 A，右侧为 B；在画面上拖动即可移动分界线
sheet-hear = 声音
sheet-hear-take = 听{ $take }的声音
sheet-hear-hint = 播放这个视频的声音（一次只播放一个；静音和音量在“循环”旁边）
