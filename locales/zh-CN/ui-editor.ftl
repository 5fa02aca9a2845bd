# 参数面板（ui::params）
editor-params-model = 模型
editor-params-model-unconfirmed = 未确认：此模型的尺寸与限制来自第三方页面。
editor-params-model-unconfirmed-tooltip = 这些取值尚无百炼官方页面确认。若服务拒绝请求，其回复会说明它需要什么。
editor-params-resolution = 分辨率
editor-params-ratio = 画幅
# 输出尺寸（像素），例如“1280 × 720 px”。
editor-params-size = { $size } px
editor-params-length = 时长
# 时长滑块数字后的单位。
editor-params-seconds-suffix = {" "}秒
editor-params-seconds = { $seconds } 秒
editor-params-sound = 声音（配上相应的音乐或音效）
editor-params-watermark = 水印“AI生成”
editor-params-seed = 种子
editor-params-seed-roll = 随机生成新种子
editor-params-seed-random = 随机
editor-params-seed-fixed = 固定
editor-params-seed-note = 相同的种子并不保证生成相同的视频。
# $price 保留两位小数；$currency 是货币代码，如 CNY。
editor-params-price = ≈ { $price } { $currency }（估算）
editor-params-price-hint = 根据可编辑的价格表估算：官方未公布这些模型的每秒价格。
editor-params-no-price = 无价格估算
editor-params-generate = 生成
# “生成”按钮上显示的快捷键。
editor-params-generate-shortcut = Ctrl+Enter
editor-params-show-request = 查看请求（JSON / curl）
editor-params-problems = 生成前需要修正 { $count } 处：

# 提示词编辑器（ui::prompt_editor）
editor-prompt-label = 提示词
editor-prompt-hint = 描述视频内容。输入 @ 提及参考图，例如“@主角 走进@咖啡厅”。
editor-prompt-unknown-name = 没有名为 { $name } 的参考图。
editor-prompt-over-limit = 超出 { $model } 的上限 { $over } 个字符
editor-prompt-counter-note = 个字符（每个提及后自动加空格）· Ctrl+Z 撤销
# $mentions：未知的提及，例如“@狗 @猫”。
editor-prompt-unknown-mentions = 未知提及：{ $mentions }（没有同名参考图）

# 参考图卡片（ui::references）
editor-refs-title = 参考图
editor-refs-add-images = 添加图片…
editor-refs-add-images-hint = 支持 JPG、PNG、WEBP。也可以把文件拖到窗口中，或粘贴图片（Ctrl+V）。
editor-refs-url-hint = 或图片网址（https://…）
editor-refs-add-url = 添加网址
editor-refs-remove = 移除此参考图
editor-refs-drag = 拖动以调整顺序
editor-refs-reading = 读取中…
# 参考图之后的空卡片；每行保持简短。
editor-refs-empty-card =
    ＋
    拖入图片、粘贴，
    或点击添加

# 编辑区状态（ui::state）
editor-state-name-taken = 另一张参考图已使用此名称。
# $files：未添加的文件或网址，用 list-separator 连接。
editor-state-left-out = 最多 { $max } 张参考图：未添加 { $files }。
editor-state-paste-full = 最多 { $max } 张参考图：请先移除一张再粘贴。
editor-state-not-url = 这不是网址：必须以 http:// 或 https:// 开头。
editor-state-ref-unusable = 参考图 { $number }：{ $reason }
editor-state-sent = 已提交：任务在后台运行，您可以继续准备下一个。
editor-state-restored = 已把设置恢复到编辑区。
editor-state-video-ready = 视频已生成：{ $path }
# 未生成视频就结束的任务：状态，然后是建议。
editor-state-job-ended = { $state }：{ $advice }
# 任务结束时桌面通知的标题。
editor-state-notify-title = R2V Studio: { $state }
editor-params-takes = 镜次
editor-params-takes-hint = 用相同的设置多次生成，以便比较结果。每个镜次都是单独的任务，分别计费。
editor-params-takes-button = { $takes ->
    [one] 生成 1 个镜次
   *[other] 用相同设置生成 { $takes } 个镜次
}
editor-params-takes-random-seed = { $takes } 个镜次各自使用不同的随机种子。
editor-params-takes-fixed-seed = 所有镜次都使用种子 { $seed }。在该服务上，相同的种子并不会生成相同的视频：各镜次仍会不同。
editor-params-generate-takes = 生成 { $takes } 个镜次
editor-params-total-price = 合计 ≈ { $total } { $currency }（{ $takes } × { $price }，估算）
editor-params-total-no-price = { $takes } 个镜次，分别计费；无价格估算
editor-state-sent-takes = 已提交 { $takes } 个镜次：它们在后台运行，并在任务列表中归为一组。

# Spend beside Generate, and a Generate a spending rule stopped (ui::editor::spend)
editor-spend-no-caps = 今日已花费 { $today } · 本月 { $month } { $currency }（估算）
editor-spend-today = 今日预算：{ $spent } / { $limit } { $currency }
editor-spend-month = 本月预算：{ $spent } / { $limit } { $currency }
editor-spend-hint = 按设置中的价格表估算，计入所有已计费或即将计费的任务。上限可在设置中修改，或使用 r2v-studio config set budget.daily。
editor-spend-would-exceed = 本次生成（约 { $cost } { $currency }）将超出上限：发送前会先询问你。
editor-refused-duplicate-title = 再次使用相同的设置？
editor-refused-budget-title = 超出预算
editor-refused-finished-ago = { $minutes } 分钟前已完成。
editor-refused-under-way = { $state }，已进行 { $elapsed }。
editor-refused-another-take = 再生成一个镜次
editor-refused-play = 播放
editor-refused-send-anyway = 仍然发送（仅此一次）
editor-refused-cancel = 不发送
