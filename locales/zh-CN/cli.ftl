# 命令行参数本身暴露的问题（cli::build_spec）。带引号的值（$model、$tier、$ratio）已自带引号。
cli-problem-model-unknown = 未知模型 { $model }：请使用 c1、v5.6 或完整名称，例如 pixverse/pixverse-c1-r2v。
cli-problem-size-unavailable = { $model } 不支持尺寸 { $size }：可选 { $offered }。
cli-problem-tier-unknown = 未知分辨率 { $tier }：可选 360p、540p、720p 或 1080p。
cli-problem-ratio-unknown = 未知画幅 { $ratio }：可选 16:9、4:3、1:1、3:4、9:16、3:2、2:3 或 21:9。
cli-problem-prompt-file-unreadable = 无法读取提示词文件（{ $error }）：请检查路径。{ $path }
cli-problem-prompt-file-not-utf8 = 提示词文件不是 UTF-8 文本：请另存为 UTF-8（在编辑器中，或用 `iconv -f GBK -t UTF-8 原文件 > 新文件`），或用 --prompt 直接给出提示词。{ $path }
cli-problem-ref-file-missing = 参考图 { $number }：文件不存在：{ $path }
cli-problem-ref-is-folder = 参考图 { $number } 是文件夹，不是图片文件：请给出其中的一张图片。{ $path }
# $size and $limit are decimal megabytes with one decimal.
cli-problem-ref-too-large = 参考图 { $number } 有 { $size } MB，超过本应用可读取的 { $limit } MB：请导出一张更小的图片（服务最多接受 20 MB）。{ $path }
# 问题列表的标题（每个问题各占一行，列在其下）。
cli-problems-heading = 生成前需要修正 { $count } 个问题：

# dry-run（标准错误输出，在请求体和 curl 命令之后）
cli-dry-run-internal-error = 内部错误：校验通过的参数未能生成请求
cli-dry-run-upload-note = 注意：本地文件会先上传到百炼临时存储；每个 oss://dashscope-instant/<upload of …> 代表上传后得到的 oss:// 地址。
# $price 保留两位小数；$currency 为货币代码，如 CNY。
cli-dry-run-price = 预估费用：约 { $price } { $currency }（估算，非官方价格）。

# sim：内置模拟器。$flag 为命令行参数，如 --fail-rate。
cli-sim-rate-out-of-range = { $flag } 必须在 0 到 1 之间
cli-sim-task-seconds-invalid = --task-seconds 必须是 ≥ 0 的秒数
cli-sim-runtime-failed = 无法启动异步运行时：{ $error }
cli-sim-listen-failed = 无法监听 127.0.0.1:{ $port }（{ $error }）：请换一个 --port
cli-sim-listening = 正在监听 { $url }
cli-sim-stopped = 模拟器已停止

# generate、resume、cancel、jobs、show
cli-start-failed = 无法启动：{ $error }
# $seconds is how long `resume --wait` waits; $path is the data folder.
cli-waiting-for-data-folder = 另一个 R2V Studio 正在使用数据文件夹：最多等待 { $seconds } 秒让它结束（按 Ctrl-C 停止）。{ $path }
# The first journal write of a new job failed; $error says why, $path is the data folder.
cli-not-journaled = 任务 { $id } 无法保存到记录中（{ $error }），因此没有向服务发送任何内容。请确认数据文件夹可写且磁盘有剩余空间，然后重新运行命令。{ $path }
# After a notice from the engine (e.g. the journal failed) that stopped a job.
cli-engine-trouble = 任务 { $id } 因上面的问题而停止：解决后运行 `r2v-studio resume`。
cli-no-key = 没有 API Key：请把 DASHSCOPE_API_KEY 设为北京地域的百炼 Key（export DASHSCOPE_API_KEY=sk-…）。如想先免账号试用，请运行 `r2v-studio sim`，并用 --base-url 指向它打印的地址，同时设置 DASHSCOPE_API_KEY=sk-demo。
cli-generate-interrupted = 已中断。任务 { $id } 已保存在记录中：运行 `r2v-studio resume` 继续。
cli-generate-interrupted-unsaved = 在任务 { $id } 保存到记录之前已中断：没有向服务发送任何内容。
cli-resume-nothing = 没有需要继续的任务：所有任务都已结束。
cli-resume-interrupted = 已中断。未完成的任务保留在记录中：再次运行 `r2v-studio resume` 继续。
cli-resume-finished-meanwhile = 任务 { $id } 已在此期间由另一个 R2V Studio 完成：
# $state 为任务状态，如“已完成”“已取消”。
cli-cancel-already-final = 任务 { $id } 已经{ $state }。
cli-cancel-done = 已取消任务 { $id }。
cli-jobs-none = 还没有任务。
# `jobs` 列表中的时长一栏（视频长度，单位秒）。
cli-jobs-duration = { $seconds }秒
# $query 为用户输入的内容（带引号）。
cli-find-no-match = 没有唯一匹配 { $query } 的任务：请查看 `r2v-studio jobs --all`。
# $query is what the user typed, in quotes; $min is a number of characters.
cli-find-too-short = { $query } 太短，无法确定任务：请至少给出 `r2v-studio jobs` 所显示编号中的 { $min } 个字符、完整的任务编号，或服务端任务 ID。
# Above the list of jobs that match (one per line below it).
cli-find-ambiguous = { $query } 匹配多个任务：请多给几个字符，或给出完整编号：
# Below the list when it is cut short.
cli-find-more = ……还有更多
# The window was to open with pictures; one of them is not a file or an image URL.
cli-window-no-such-picture = 找不到这张图片：请用已存在的图片文件或图片网址打开窗口，或运行 `r2v-studio --help` 查看命令。{ $path }
cli-window-folder = 这是文件夹，不是图片：请给出其中的图片文件。{ $path }
# $command is the mistyped word in quotes; $commands lists every command.
cli-unknown-command = 未知命令 { $command }。可用命令：{ $commands }。运行 `r2v-studio --help` 了解更多。
cli-unknown-command-suggest = 未知命令 { $command }：您是想输入 `r2v-studio { $suggestion }` 吗？运行 `r2v-studio --help` 查看全部命令。
cli-journal-unreadable = 无法读取任务记录：{ $error }

# 任务的最终结果。“完成”的三行依次打印。
cli-report-done = 完成：{ $video }
cli-report-details = 详情：{ $sidecar }
cli-report-billed = 计费：{ $seconds } 秒（任务 { $task }）
# $code 和 $message 为服务返回的原文；$advice 说明该怎么做。
cli-report-error = { $code }：{ $message } —— { $advice }
# 服务返回了 request id 时接在 cli-report-error 之后。
cli-report-request-id = {" "}(request_id: { $request_id })
# $reason 为 cli-report-error 或任务状态。
cli-report-ended = 任务 { $id } { $state }：{ $reason }
cli-report-waits = 任务 { $id } 等待您的决定：请在 R2V Studio 中选择，或运行 `r2v-studio resume` 再次查找。
cli-report-submitted = 已提交：任务 { $id }（服务任务 { $task }）。运行 `r2v-studio resume` 等待并下载视频。
cli-report-stopped = 任务 { $id } 已暂停：{ $message } —— { $advice }

# 任务运行时的进度行（接在任务短 ID 之后）。
cli-watch-uploading = 正在上传参考图 { $number } { $percent }%
# $progress 为百分比或 cli-watch-kilobytes；$speed 保留一位小数。
cli-watch-downloading = 正在下载 { $progress } ({ $speed } MB/s)
cli-watch-kilobytes = { $kilobytes } KB
cli-watch-queued = 排队中，位置 { $position }

# 设置文件和 Key 存储的错误（settings.rs）
cli-settings-damaged = { $path } 已损坏（{ $error }）；已改用默认设置
cli-settings-unreadable = 无法读取 { $path }（{ $error }）
cli-settings-create-failed = 无法创建 { $path }（{ $error }）
cli-settings-write-failed = 无法写入 { $path }（{ $error }）
cli-settings-key-not-saved = 钥匙串保存失败（{ $keychain_error }），改存文件也失败（{ $file_error }）

# 项目文件的错误（project.rs）
cli-project-write-failed = 无法写入 { $path }（{ $error }）
cli-project-read-failed = 无法读取 { $path }（{ $error }）
cli-project-not-a-project-because = { $path } 不是 R2V Studio 项目文件（{ $error }）
cli-project-not-a-project = { $path } 不是 R2V Studio 项目文件
cli-project-too-new = { $path } 由更新版本的 R2V Studio 保存（项目版本 { $version }）：请更新应用
cli-dry-run-price-takes = 估算价格：{ $takes } 个镜次约 { $total } { $currency }（{ $takes } × { $price }；仅为估算，非官方价格）。
cli-dry-run-takes-random = 同一请求将发送 { $takes } 次，每个镜次使用各自的随机种子（上面显示的请求不含种子）。
cli-dry-run-takes-fixed = 同一请求将以种子 { $seed } 发送 { $takes } 次；在该服务上，相同的种子并不会生成相同的视频。
cli-takes-summary = { $takes } 个镜次中已完成 { $done } 个。
cli-report-handed-over = 任务 { $id } 已记录：正在使用此数据文件夹的 R2V Studio 会提交并完成它（可用 `r2v-studio show { $id }` 查看进度）。

# generate refused by a spending rule (cli::jobs::print_refusal)
cli-refused-duplicate-hint = 未发送任何内容。查看之前的任务：r2v-studio show { $id }。如确需再付费生成一个镜次，请加上 --again 重新运行同一命令。
cli-refused-budget-hint = 未发送任何内容。如仍要发送，请加上 --over-budget 重新运行同一命令；修改上限：r2v-studio config set budget.daily 金额（或 off）。

# r2v-studio config (settings::Settings::set, cli::config)
cli-settings-key-unknown = 没有名为“{ $key }”的设置。`r2v-studio config list` 会列出全部设置。
cli-settings-value-invalid = “{ $value }”不是 { $key } 的有效值。`r2v-studio config list` 显示当前值；各项可取的值见 README。
cli-config-not-saved = 未做任何更改：请先修复或删除设置文件（也可以在窗口中保存新的设置）。
