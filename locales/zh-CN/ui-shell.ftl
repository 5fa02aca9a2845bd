# 窗口启动（ui::mod）。以下错误在窗口无法启动时打印在终端上，前缀为 "r2v-studio: "。
shell-window-title = R2V Studio
shell-demo-failed = 无法启动演示服务：{ $error }
shell-window-failed = 无法打开窗口：{ $error }
shell-samples-folder-failed = 无法创建 { $path }：{ $error }
shell-sample-write-failed = 无法写入 { $path }：{ $error }

# 窗口打开时的提示（ui::mod）
# $problem：无法读取设置文件的原因。
shell-settings-problem = 设置：{ $problem }
shell-engine-start-failed = 后台引擎无法启动：{ $error }
shell-key-invalid = 此 Key 在两个地域都被拒绝：它不是有效的百炼 API Key。请从控制台重新复制（完整的 sk-… 文本），或新建一个。（request_id：{ $request_id }）
shell-key-other-region = 此 Key 属于另一个地域：在{ $region }被拒绝，但在{ $other }可用。请将地域选为{ $other }，或在{ $region }的控制台创建 Key。（request_id：{ $request_id }）
shell-key-other-address = 此 Key 在此地址被拒绝，但在另一地域可用：请选择创建该 Key 的地域。（request_id：{ $request_id }）
shell-key-not-activated = Key 可用，但此账号尚未开通 { $model }。请在百炼控制台搜索 PixVerse，打开其模型卡片，点击“立即开通”，然后再测试。（request_id：{ $request_id }）
shell-key-overdue = Key 可用，但阿里云账号已欠费（Arrearage）：充值之前无法生成。请在阿里云控制台充值，然后再测试。（request_id：{ $request_id }）

# 外壳的处理结果（ui::shell）
shell-engine-not-running = 后台引擎未运行（见启动时的提示）：请重启应用。
shell-engine-restart-failed = 后台引擎无法重启：{ $error }
shell-settings-saved = 设置已保存。
shell-settings-not-saved = 无法保存设置：{ $error }
# $problem：钥匙串拒绝保存的原因。引号中的文字指复选框 settings-key-allow-file。
shell-key-not-saved = 无法保存 Key：{ $problem }。勾选“保存在文件中”即可改为文件保存。
shell-project-saved = 项目已保存。
shell-relink-none-found = 该文件夹中没有缺失的文件。
# 导出的请求；$DASHSCOPE_API_KEY 是 shell 变量，保持原样。
shell-exported = 已保存 { $path }（其中不含 Key：运行时读取 $DASHSCOPE_API_KEY）。
shell-export-write-failed = 无法写入 { $path }（{ $error }）

# 测试 Key（设置窗口）
shell-key-works = 此 Key 可用于 { $url }。
# $error：服务的回答；$advice：处理建议。
shell-key-rejected = Key 未通过：{ $error }。{ $advice }
shell-key-rejected-with-request = Key 未通过：{ $error }。{ $advice } (request_id: { $request_id })
shell-key-enter-first = 请先输入 Key。

# 文件对话框：所提供的文件类型名称。
shell-filter-images = 图片
shell-filter-project = R2V Studio 项目
shell-filter-video = MP4 视频
