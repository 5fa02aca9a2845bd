# 服务返回错误时的处理建议（api::error::advice_for）
api-advice-invalid-api-key = API Key 被拒绝。请检查是否完整复制，以及它是否创建于设置中所选的地域：另一地域（北京或新加坡）的 Key 也会得到同样的错误。
api-advice-unpurchased = 您的账号尚未开通此模型：请在百炼控制台开通后重试。
api-advice-access-denied = 服务拒绝访问。如持续出现，请在百炼控制台检查 Key 的权限和业务空间；过期的上传授权会在重试时自动更新。
api-advice-arrearage = 阿里云账号已欠费：请在控制台充值后重试。
api-advice-data-inspection = 内容审核未通过（提示词、参考图或生成结果）。请修改描述或更换参考图后重新生成。
api-advice-model-not-found = 服务找不到此模型。请检查地域 / Base URL：PixVerse 模型仅在北京地域提供。
api-advice-throttling = 账号同时请求过多。应用会自动等待后重试。
api-advice-quota-used-up = 账号在此模型上的配额已用完：请等待配额恢复，或在控制台提升配额。
api-advice-generation-timeout = 服务在 3 小时后放弃了此次生成。请重新生成（将作为新任务计费）。
api-advice-model-unavailable = 模型暂时不可用。应用会自动重试；如持续出现，请稍后再试。
api-advice-unsupported-operation = 只有仍在排队（PENDING）的任务可以取消；已开始运行的任务会完成并计费。
api-advice-invalid-parameter = 服务拒绝了某个参数（见错误信息）。请修改后重新生成。
api-advice-malformed-answer = 无法解析服务的应答。请重试；如持续出现，请向技术支持提供 request_id。
# HTTP 408 或 5xx，且没有已知的错误码。
api-advice-server-trouble = 服务出现临时问题。应用会自动重试；如持续出现，请稍后再试。
# 其他没有已知错误码的拒绝。
api-advice-refused = 请求被拒绝。请查看错误信息；如不明确，请向技术支持提供 request_id。

# 没有收到应答时的处理建议（api::error::Error::advice）
api-advice-connect = 请检查网络连接和设置中的 Base URL，然后重试。
api-advice-network-unstable = 网络或服务较慢或不稳定。在安全的情况下应用会自动重试。
api-advice-invalid-request = 请检查设置（Base URL）和任务 ID。

# 附在错误信息之后（ApiError::user_text）；request_id 是服务的字段名。
api-request-id = （request_id：{ $id }）

# 发生了什么（api::error::Error::describe）。每条都是放进引擎自己句子里的分句：
# 句末不加句号。code、message、detail 是服务或系统的原话，原样显示。
api-error-answered = 服务应答 HTTP { $status } { $code }：{ $message }
api-error-answered-code = 服务应答 HTTP { $status } { $code }，没有附带说明
api-error-status = 服务应答 HTTP { $status }，但没有服务自己的错误信息（可能是网关或代理的应答）
api-error-dns = 无法解析服务的地址（{ $detail }）
api-error-refused = 服务拒绝了连接（{ $detail }）
api-error-reset = 与服务的连接被切断（{ $detail }）
api-error-tls = 无法与服务建立安全连接（{ $detail }）
api-error-connect = 无法连接到服务（{ $detail }）
api-error-timeout = 服务未及时应答（{ $detail }）
api-error-broken = 与服务的连接中断（{ $detail }）
api-error-unreadable = 无法解析服务的应答（HTTP { $status }）（{ $detail }）
api-error-too-large = 服务的应答（HTTP { $status }）超过 { $megabytes } MB，不是正常的应答
api-error-with-request-id = { $what }（request_id：{ $id }）

# 无法发出的请求（api::client）；detail 是系统的原话。
api-invalid-base-url = Base URL 不是有效的网址（{ $detail }）：{ $url }
api-invalid-base-url-scheme = Base URL 必须以 https:// 开头（本地模拟器可用 http://）：{ $url }
api-invalid-http-setup = 无法初始化 HTTP（{ $detail }）
api-invalid-file-name = 不是单纯的文件名：{ $name }
api-invalid-content-type = 不是有效的内容类型：{ $content_type }（{ $detail }）
api-invalid-video-link = 视频链接不是有效的网址（{ $detail }）
api-invalid-video-link-scheme = 视频链接必须以 http:// 或 https:// 开头，而不是 { $scheme }:
api-invalid-task-id = 不是有效的任务 ID：{ $id }
