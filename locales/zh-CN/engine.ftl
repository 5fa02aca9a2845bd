# 任务状态（engine::job::JobState::describe）
engine-state-queued = 排队中
engine-state-uploading = 正在上传参考图
engine-state-submitting = 正在提交
engine-state-submit-unknown = 提交结果未知
engine-state-pending = 服务排队中
engine-state-running = 生成中
engine-state-succeeded = 等待下载
engine-state-downloading = 正在下载
engine-state-done = 已完成
engine-state-failed = 失败
engine-state-canceled = 已取消
engine-state-expired = 已过期

# 参考图无法使用的原因（engine::images::ImageIssue::describe）
engine-image-empty = 文件为空（0 字节）：请重新选择或重新导出该图片。
engine-image-not-an-image = 此文件不是图片：请使用 JPG、PNG 或 WEBP 图片。
# kind：图片格式，如 HEIC 或 AVIF。
engine-image-unsupported = 不支持 { $kind } 格式：请将图片导出为 JPG 或 PNG（例如在“照片”中选择导出为 JPEG）后重新添加。
# detail：解码器给出的（英文）说明。
engine-image-corrupt = 图片已损坏，无法打开（{ $detail }）：请重新导出或重新下载。
engine-image-too-small = 图片仅 { $width }×{ $height } 像素，每边至少需要 { $min } 像素：请使用更大的图片。
engine-image-too-large = 图片尺寸为 { $width }×{ $height } 像素，超过每边 { $max } 像素：请先在编辑器中缩小。
engine-image-too-heavy = 无法把图片压缩到 20 MB 以内以便上传：请先在编辑器中缩小。
engine-image-unreadable = 无法读取文件（{ $detail }）：请确认文件仍然存在且有权限打开。

# 上传前的处理（engine::images）
engine-upload-note-scale-down = { $width }×{ $height } 像素：上传时将把长边缩小到 { $max } 像素。
engine-upload-note-re-encode = { $megabytes } MB：上传时将重新编码到 20 MB 以内。
engine-upload-note-convert = { $kind }：上传时将转换为 PNG 或 JPEG。
engine-upload-note-upright = 上传前已按 EXIF 方向摆正。

# 引擎无法启动的原因（engine::EngineError::describe）
engine-start-data-dir = 无法创建数据文件夹 { $path }：{ $error }
engine-start-locked = 另一个 R2V Studio 正在使用数据文件夹 { $path }：请关闭它，或使用其他 --data-dir
engine-start-failed = 无法启动引擎：{ $error }
# 任务记录（engine::store::StoreError::describe）
engine-store-failed = 任务数据库出错：{ $error }
engine-store-record-unreadable = 无法读取一条任务记录：{ $error }
engine-store-too-new = 任务数据库来自更新版本的 R2V Studio（schema { $schema }）：请更新应用

# 提示（engine::runner）；error：技术细节，通常为英文。
engine-notice-start-failed = 后台引擎无法启动（{ $error }）。请重启应用。
engine-notice-base-url-unusable = 服务地址不可用：{ $error }。请在设置中修改。
engine-notice-delete-failed = 无法删除 { $path }（{ $error }）。
engine-notice-remove-under-way = 此任务仍在进行：请先取消或等待完成后再移除。
engine-notice-review-under-way = 此任务尚未结束：请在结束后再加星标或备注。
engine-notice-paste-not-saved = 无法保存粘贴的图片（{ $error }）：请另存为文件后再添加。
engine-notice-journal-failed = 无法写入任务记录（{ $error }）。任务已暂停，不会发送新请求；请释放磁盘空间后重启应用。
engine-notice-no-such-job = 历史中没有任务 { $id }。
engine-notice-cancel-too-late = 任务已在服务端开始运行，无法取消：它将完成并计费，视频会照常下载。
# advice：处理建议，例如 api-advice-connect。
engine-notice-cancel-failed = 取消失败（{ $error }）。{ $advice }
engine-notice-dropped = 已放弃。如果服务端其实已创建了任务，该任务仍会运行并计费。
engine-notice-cancel-running = 任务已在服务端运行，无法取消：它将完成并计费，视频会照常下载。
engine-notice-cancel-made = 视频已生成（已计费），正在下载。

# 任务失败时的处理建议（engine::runner）
engine-advice-no-api-key = 请在设置中填写百炼 API Key，或设置环境变量 DASHSCOPE_API_KEY，然后重试。
engine-advice-invalid-spec = 请检查设置后重新生成。
engine-advice-file-unreadable = 请确认文件仍然存在（可能已被移动或改名），然后重试。
engine-advice-internal = 请重试；如再次出现，请重启应用。
engine-advice-expired = 如仍需要此视频，请重新生成（将作为新任务计费）。
# --out 是命令行选项；“继续”是任务列表中的按钮。
engine-advice-output-folder = 请在设置中选择其他输出文件夹（或使用 --out），然后选择继续。
engine-advice-bad-video-link = 服务返回了无法下载的视频链接。请向技术支持提供任务 ID。

# 任务进行中遇到的暂时问题（engine::runner）
engine-warning-stopped-while-submitting = 提交过程中应用停止了：任务可能已创建，也可能没有。正在任务列表中查找……
engine-warning-create-unclear = 创建请求没有得到明确应答（{ $error }）：任务可能已创建，也可能没有。正在任务列表中查找……
engine-warning-upload-gone = 之前上传的文件已不在服务端：正在重新上传参考图。
engine-warning-account-busy = 账号正在运行的任务已达上限：等待空位后重新提交。
engine-warning-create-retry = 未创建任务（{ $error }）。{ $advice }稍后自动重试。
engine-warning-query-failed = 查询任务失败（{ $error }）。{ $advice }将自动重试。
engine-warning-sidecar-failed = 视频已保存，但详情文件无法写入（{ $error }）。

# 提交结果未知：在任务列表中查找（engine::runner）。“再次查找”和“重新提交”是任务列表中的按钮。
engine-adopt-list-unreadable = 无法读取任务列表（{ $error }），因此不知道该任务是否已创建。请稍后选择“再次查找”，或“重新提交”（可能重复计费）。
# count 总是 2 或更多。
engine-adopt-ambiguous = 任务列表中有 { $count } 个任务都可能属于此任务：应用不会猜测。请稍后选择“再次查找”，或“重新提交”（可能重复计费）。
engine-adopt-none = 任务列表中（暂时）没有出现此任务的任务。这并不表示没有创建：任务可能过一会儿才出现。请一分钟后选择“再次查找”；“重新提交”会再次发送，如果其实已创建，将重复计费。

# 参考图预览（engine::runner）
engine-preview-file-too-large = 文件大小为 { $megabytes } MB：作为参考图过大。
engine-preview-oss-link = oss:// 链接只能由服务读取：无法预览。
engine-preview-url-unreachable = 无法获取图片网址（{ $detail }）：请检查地址，或下载图片后添加文件。
# engine-preview-url-unreachable 中的细节。
engine-preview-url-too-large = 超过 60 MB

# 随失败任务保存的“发生了什么”（建议说明该怎么做）
engine-error-no-api-key = 尚未设置 API Key。
engine-error-invalid-spec = 当前设置已不能构成有效的请求。
engine-error-file-unreadable = 无法读取参考图 { $number }（{ $error }）：{ $path }
engine-error-image-unusable = 参考图 { $number }：{ $reason }（{ $path }）
engine-error-task-failed = 服务报告生成失败，但没有说明原因。
engine-error-expired = 服务已不再记得此任务：任务 ID 和结果链接的有效期为 24 小时。
engine-error-output-folder = 无法创建输出文件夹（{ $error }）：{ $path }
engine-warning-download-trouble = 视频暂时无法下载（{ $error }）。{ $advice } 在服务保留视频期间（自开始起 24 小时），应用会一直重试。

# 议题 11：认领核对、创建应答、参考图与下载（engine::steps）
engine-warning-adopted-unconfirmed = 在任务列表中找到一个与此任务相符的任务（同一模型，创建于提交时刻）；服务尚未给出足够信息来确认它属于此任务。在其提示词、尺寸或时长表明不符之前，将把它当作此任务继续跟进。
engine-warning-adopted-mismatch = 任务 { $task } 原来属于别人（其提示词、尺寸或时长与此任务不同），已放弃认领。请稍后选择“再次查找”，或“重新提交”（可能重复计费）。
engine-adopt-only-foreign = 任务列表中有 { $count } 个任务创建于该时刻，但都属于别人（提示词、尺寸或时长不同）。此任务的任务尚未出现：它可能稍后出现。请一分钟后选择“再次查找”；“重新提交”会再次发送，如果其实已创建，将重复计费。
engine-warning-create-bad-task-id = 服务对创建请求的应答中带有无效的任务 ID：任务可能已创建，也可能没有。正在任务列表中查找……
engine-warning-create-not-sent = 无法连接服务，因此什么也没有发送。稍后自动重试。
engine-error-reference-is-folder = 参考图 { $number } 是一个文件夹，不是图片：{ $path }
engine-error-reference-too-large = 参考图 { $number } 大小为 { $megabytes } MB，超过参考图允许的 { $limit } MB：{ $path }
engine-advice-reference-too-large = 请另存一份较小的图片（几 MB 的 JPEG 就足够），添加后重试。
engine-notice-cancel-no-task = 此任务在服务端没有可取消的任务。
engine-error-video-too-large = 视频链接声称大小为 { $megabytes } MB，远超此服务任何视频的大小：不予下载。
engine-error-disk-full = 视频需要 { $megabytes } MB，但保存位置只剩 { $free } MB 可用空间：{ $path }
engine-advice-disk-full = 请在该磁盘上腾出空间（或在设置中、用 --out 选择其他输出文件夹）；在服务保留视频期间（24 小时），下载会自动继续。
engine-warning-bad-video = { $reason } 正在向服务重新获取链接。
engine-error-output-full = 磁盘已满：无法写入视频（{ $error }）：{ $path }
engine-error-output-read-only = 输出文件夹不可写入（{ $error }）：{ $path }
engine-error-not-a-video = 视频链接返回的不是 MP4 视频（而是网页或错误信息）。
engine-takes-out-of-range = 一次只能生成 1 到 { $max } 个不同的镜次；本次请求为 { $count } 个。未发送任何内容。

# Why a finished job shows no poster frame (engine::posters::PosterError::describe)
engine-poster-no-video = 此任务没有已完成的视频。
# path: where the job's video was saved.
engine-poster-missing = 视频已不在 { $path }：它被移动、重命名或删除了。请将其放回原处，或从列表中移除此任务。
# reason: why the clip cannot be shown (a video-error-… message).
engine-poster-undecodable = 无法生成封面帧：{ $reason }
engine-client-version = 此 R2V Studio（{ $theirs }）无法与已在使用此数据文件夹的 R2V Studio（{ $ours }）协作：请关闭另一个，或使用相同版本。
engine-client-bad-request = 正在运行的 R2V Studio 无法读取来自另一进程的请求（{ $detail }）：未执行任何操作；请重试，并在各处使用相同版本的应用。

# A Generate stopped by the duplicate-spend guard (engine::Refusal)
engine-duplicate-setup = 未发送：相同的设置（相同的图片、名称、提示词和参数）已是任务 { $id }，正在进行或在 30 分钟内刚完成。再次发送将再次付费：如确需要，请有意地再生成一个镜次，或先修改设置。
