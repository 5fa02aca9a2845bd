# 设置窗口（ui::settings）
settings-title = 设置

# 地域
settings-region = 地域
settings-region-models = 此地域提供的模型：{ $models }
settings-region-custom = 使用其他地址（例如业务空间地址）
settings-region-note = API Key 只能在创建它的地域使用，各地域提供的模型也不同。此地域的公共地址是 { $shared }。较新的账号可能使用业务空间地址，形如 { $workspace }：请从控制台复制，并以您的业务空间 ID 替换 {"{"}WorkspaceId{"}"}。
settings-region-unconfirmed = 此地域的公共地址尚无官方页面确认可用于这些模型；如果测试失败，请使用您的业务空间地址。

# 输出文件夹
settings-output-folder = 输出文件夹
# 未选择文件夹时代替路径显示。
settings-output-default = 视频/R2V Studio（默认）
settings-output-choose = 选择…
# 按钮：恢复默认输出文件夹。
settings-output-use-default = 默认

# 限制
settings-limits = 限制
settings-jobs-per-model = 每个模型同时进行的任务
settings-checks-per-second = 每秒状态查询次数（全部任务）

# 价格；$currency 是货币代码，例如 CNY。
settings-prices = 价格表（估算）
settings-prices-note = 每计费秒的{ $currency }价格。官方未公布价格：请按账单调整。
settings-prices-reset = 重置价格

# 语言与主题。各语言的名称用该语言本身书写，两个目录中相同。
settings-language-and-theme = 语言与主题
settings-language-english = English
settings-language-chinese = 简体中文
settings-theme-system = 跟随系统
settings-theme-light = 浅色
settings-theme-dark = 深色

settings-save = 保存
settings-close = 关闭

# API Key
settings-key = API Key
settings-key-from-environment = 来自环境变量 DASHSCOPE_API_KEY：它优先于已保存的 Key。
settings-key-in-keychain = 已保存在系统钥匙串中。
settings-key-in-file = 已保存在仅您可读的文件中（此系统没有钥匙串服务）。
settings-key-none = 尚未设置 Key。
settings-key-demo = 演示模式：任务发送到内置模拟服务，使用其自带的 Key；此处保存的 Key 会在不带 --demo 启动时使用。
settings-key-file-warning = 注意：文件不如钥匙串安全。能登录您账户的人都可以读取它。
# $problem：钥匙串自身的错误信息。
settings-keychain-unavailable = 系统钥匙串不可用（{ $problem }）。可勾选下方选项，改为保存在私有文件中。
settings-key-hint = 粘贴新的 Key（sk-…）
settings-key-save = 保存 Key
settings-key-test = 测试
settings-key-test-tooltip = 用此 Key 发起一次免费调用（列出一个任务）并报告结果。
settings-key-forget = 删除
settings-key-allow-file = 如无钥匙串，将 Key 保存在仅我可读的文件中
settings-key-testing = 测试中…

# Budget caps (ui::settings)
settings-budget = 预算
settings-budget-note = 估算花费的上限（{ $currency }），按上面的价格表计算，计入所有已计费或即将计费的任务。超出上限的生成会先询问。命令行使用相同的上限（r2v-studio config set budget.daily 20）。
settings-budget-daily = 每日上限
settings-budget-monthly = 每月上限
