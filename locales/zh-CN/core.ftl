# 参考图名称（core::refname）
name-empty = 名称为空：请为参考图起一个简短的名称，例如 hero 或 咖啡厅。
name-too-long = 名称长 { $bytes } 字节，最多允许 { $max } 字节（约 10 个汉字）：请缩短。
name-whitespace = 名称含有空格：只能使用字母、数字或下划线 _。
name-at-sign = 名称含有 @：请去掉它（提示词提及名称时才加 @）。
name-punctuation = 名称含有“{ $char }”：只能使用字母、数字或下划线 _。

# 校验问题（core::spec）
problem-images-none = 请至少添加一张参考图。
problem-images-too-many = 共 { $count } 张参考图，最多允许 { $max } 张：请移除 { $remove } 张。
problem-ref-name = 参考图 { $number }：{ $reason }
problem-ref-name-duplicate = 参考图 { $number }：名称 { $name } 已被另一张参考图使用：请为每张图取不同的名称。
problem-ref-source-empty = 参考图 { $number } 没有文件或网址：请选择一张图片。
problem-ref-url-invalid = 参考图 { $number }：网址必须以 http://、https:// 或 oss:// 开头并包含主机名：{ $url }
problem-prompt-empty = 请填写提示词：描述视频内容，并用 @名称 提及参考图。
problem-prompt-too-long = 提示词共 { $chars } 个字符（含每个提及后的空格），{ $model } 最多接受 { $limit } 个：请删去 { $over } 个。
problem-mention-unknown-hint = @{ $mention } 不是参考图名称。如果指的是 @{ $prefix }，请在其后加一个空格。
problem-mention-unknown = @{ $mention } 不是参考图名称：请把某张参考图改名为 { $mention }，或修改提及。
problem-mention-missing = 提示词提及了其他参考图，但没有提及 @{ $name }：请提及所有参考图，或都不提及。
problem-tier-unavailable = { $model } 不支持 { $tier }：请选择其他分辨率。
problem-ratio-unavailable = { $model } 不支持 { $ratio } 画幅：请从 { $offered } 中选择。
problem-duration-invalid = { $model } 在 { $tier } 下不支持 { $duration } 秒：可选 { $durations } 秒。
problem-seed-out-of-range = 种子 { $seed } 超出范围：请使用 { $min } 到 { $max }，或随机种子。
# 用于连接 problem-ratio-unavailable 中的画幅。
list-separator = 、

# 切换模型后的调整（core::spec）
note-tier-switched = { $model } 不支持 { $old }：已切换为 { $new }。
note-ratio-switched = { $model } 不支持 { $old } 画幅：已切换为 { $new }。
note-duration-switched = { $model } 在 { $tier } 下不支持 { $old } 秒：已切换为 { $new } 秒。

# 模型（core::capabilities）
model-c1-description = 擅长打斗、法术特效、高速运动和多宫格画面。
model-v56-description = 通用场景，动作自然平稳。
model-v6-description = 国际（新加坡）地域的 PixVerse V6。其各项限制尚未经官方页面确认。
region-beijing = 中国内地（北京）
region-singapore = 国际（新加坡）

# Spending rules (core::spend)
spend-cap-invalid = “{ $value }”不是有效的上限：请填写大于 0 的金额（如 20 或 12.5），或填写“off”表示不设上限。
spend-over-daily = 未发送：此任务预计花费约 { $cost } { $currency }，而今日上限 { $limit } { $currency } 中已花费或即将花费 { $spent }。可以仍然发送，或在设置中提高或取消每日上限，或等到明天。
spend-over-monthly = 未发送：此任务预计花费约 { $cost } { $currency }，而本月上限 { $limit } { $currency } 中已花费或即将花费 { $spent }。可以仍然发送，或在设置中提高或取消每月上限。
