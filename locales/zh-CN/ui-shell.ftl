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
shell-no-key = 尚未设置 API Key：请在“设置”中填写（或设置 DASHSCOPE_API_KEY），或先试试 `r2v-studio --demo`。

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
