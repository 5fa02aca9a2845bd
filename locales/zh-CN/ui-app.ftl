# 应用名称：各语言相同。
app-name = R2V Studio

# 顶栏
# 使用内置模拟服务（--demo）时显示；两端的空格用于留白。
app-demo-badge = {" "}演示 · 内置模拟服务{" "}
# 主题按钮显示的是将要切换到的主题。
app-theme-light = 浅色
app-theme-dark = 深色
app-theme-tooltip = 浅色 / 深色
app-settings = 设置
# 语言切换按钮用另一种语言本身显示其名称。
app-language-english = English
app-language-chinese = 中文

# “文件”菜单
app-menu-file = 文件
app-menu-new = 新建
app-menu-open = 打开…
app-menu-restore-video = 从视频打开设置…
app-menu-save = 保存
app-menu-save-as = 另存为…
app-menu-export-request = 导出请求（JSON / curl）…
# 最近打开的项目列表的标题。
app-menu-recent = 最近

# 没有文本框获得键盘焦点时按 Ctrl+V
app-paste-not-image = 剪贴板中是文字，不是图片或图片网址。

# 启动窗口时同时给出了项目文件和其他文件（r2v-studio 文件…）：只打开了项目，另外 $count 个文件没有打开。
app-arguments-left-out = 已单独打开该项目：与它一起给出的另外 { $count } 个文件没有加入。请一次打开一个项目，再向其中添加图片。

# 打开的项目中参考图文件已不在记录的位置
app-missing-title = 部分图片已移动
app-missing-explanation = 以下参考图不在项目记录的位置。请重新选择每个文件，或选择包含它们的文件夹。
app-missing-choose = 选择…
app-missing-look-in-folder = 在文件夹中查找…
app-missing-later = 稍后

# 有未保存的改动时关闭窗口
app-close-title = 保存更改？
app-close-explanation = 编辑区中的参考图、提示词或参数自上次保存后有改动。正在进行的任务不受影响：下次启动时会继续。
app-close-save = 保存
app-close-discard = 不保存
app-close-cancel = 取消

# 请求内容窗口（文件 → 导出请求）
app-request-title = 请求内容
app-request-problems = 有 { $count } 个问题会阻止此请求；以下为当前内容。
app-request-unavailable = 还无法生成请求：请选择模型支持的尺寸。
# <upload of …> 在导出的请求中原样出现；$DASHSCOPE_API_KEY 是环境变量。
app-request-explanation = 本地文件会先上传：<upload of …> 代表上传后得到的 oss:// 地址。不会显示 Key：curl 读取 $DASHSCOPE_API_KEY。
app-request-copy-json = 复制 JSON
app-request-copy-curl = 复制 curl
app-request-save-json = 保存 JSON…
app-request-save-curl = 保存 curl…
# 保存的 curl 脚本（request.sh）开头的注释行。
app-request-script-comment = 运行前请设置 DASHSCOPE_API_KEY。

# 把文件拖到窗口上方时显示
app-drop-hint = 松开鼠标即可添加为参考图

# 文件大小；$size 为数字（MB 保留一位小数）。
app-size-kb = { $size } KB
app-size-mb = { $size } MB
app-demo-tooltip = 这里的一切都对接应用内的模拟服务：不会发送任何请求，也不产生费用。
app-demo-leave = 退出演示
app-demo-leave-tooltip = 回到您自己的账号（若尚未设置 Key，则回到欢迎页）。
