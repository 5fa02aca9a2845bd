# 视频内保存的设置、参考图存档、从视频恢复设置（provenance::ProvenanceError::describe 与设置窗口）。
# error：操作系统给出的（英文）原因；path：文件。
provenance-error-read = 无法读取该文件（{ $error }）：请确认它仍然存在，且你有权限打开。{ $path }
provenance-error-write = 无法写入该文件（{ $error }）：请确认文件夹可写且有剩余空间。{ $path }
provenance-error-empty = 该文件是空的（0 字节），其中没有视频，也没有设置。
provenance-error-not-mp4 = 该文件不是 MP4 视频，因此不含 R2V Studio 的设置：请选择本应用生成的视频。
# detail：损坏之处（英文）。
provenance-error-corrupt = 视频已损坏（{ $detail }），无法读取或写入其中的设置：请从对应任务重新下载。
provenance-error-no-index = 视频缺少索引（可能不完整），无法读取或写入其中的设置：请从对应任务重新下载。
provenance-error-fragmented = 该视频是流式（分片）格式，本应用不向这种格式写入设置：视频本身没有问题。
provenance-error-index-too-large = 该视频的索引异常大（{ $megabytes } MB），本应用不读取它：文件可能已损坏。
provenance-error-tag-too-large = 设置太大，无法保存在视频中（{ $kilobytes } KB）：请缩短提示词。
provenance-error-no-settings = 该视频不是 R2V Studio 生成的，或已丢失其设置：请选择本应用下载的原始文件。
# detail：拒绝所存设置的原因（英文）。
provenance-error-bad-settings = 无法读取该视频中保存的设置（{ $detail }）：视频可能被其他程序修改过，或来自更新版本的 R2V Studio。
provenance-error-too-new = 该视频中的设置由更新版本的 R2V Studio 写入（格式 { $format }）：请更新应用后再恢复。
# detail：网络或服务器给出的（英文）原因；url：参考图地址。
provenance-error-fetch = 无法获取该参考图以存档（{ $detail }）：请检查地址和网络后重试。{ $url }
provenance-error-fetch-too-large = 该参考图超过 { $limit } MB，未存入存档：请使用较小的图片。{ $url }
# 下载之后（任务照常完成）。error：原因；path：视频文件。
provenance-notice-not-tagged = 视频已保存，但无法把设置写入其中（{ $error }）；旁边的设置文件中仍保存着这些设置。{ $path }
# 读取任务的参考图时（任务照常进行）。number：参考图序号；error：原因。
provenance-notice-not-archived = 参考图 { $number } 未能存入参考图存档（{ $error }）；任务照常进行，但日后从该视频恢复设置时可能找不到这张图片。

# 设置窗口中的参考图存档部分。
provenance-archive-heading = 参考图存档
provenance-archive-note = 每个任务用过的图片都保存在这里，即使原文件被移动或删除，也能从视频中恢复设置。
provenance-archive-measuring = 正在统计存档…
# count：保存的图片数；size：文件大小，如 2.4 MB。
provenance-archive-size = { $count } 张图片，{ $size }
# 清理之后。count：移除的图片数；size：释放的空间。
provenance-archive-removed = 已移除 { $count } 张图片（{ $size }）。
provenance-archive-prune = 移除没有任务使用的参考图
provenance-archive-prune-tooltip = 删除历史记录中已没有任何任务使用的图片（例如从列表中移除任务之后）。列表中任务的图片会保留。

# 拖到窗口上的视频。
provenance-restored = 已从视频把设置恢复到编辑器。
# count：原位置和存档中都找不到的参考图数量。
provenance-restored-missing = 已从视频恢复设置，但在这台电脑上找不到其中 { $count } 张图片：请重新选择。
