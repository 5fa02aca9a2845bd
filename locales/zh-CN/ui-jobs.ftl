# Jobs and history panel (ui::jobs)
jobs-empty = 还没有任务。生成中的视频会显示在这里，完成后保存到输出文件夹。
jobs-no-match = 没有符合筛选条件的任务。

## Header: search, filters and totals
jobs-title = 任务
jobs-search = 搜索
# Hint inside the search field
jobs-search-hint = 提示词中的文字
# Label of the state filter
jobs-show = 显示
jobs-filter-all = 全部
jobs-filter-active = 进行中
jobs-filter-done = 已完成
jobs-filter-problems = 需要处理
# Label of the model filter
jobs-model = 模型
jobs-all-models = 全部模型
# Spend of finished jobs; seconds are billed seconds, costs have two decimals, currency is e.g. CNY
jobs-totals = 今天 { $day_seconds } 秒 ≈ { $day_cost } { $currency } · 本月 { $month_seconds } 秒 ≈ { $month_cost } { $currency }
jobs-totals-hint = 已完成任务的计费秒数；金额为根据价格表的估算。

## Status line of a job; $state is the job state in words (e.g. Generating)
jobs-queued = { $state }（第 { $position } 位）
# $elapsed and $left are minutes:seconds, e.g. 1:05
jobs-running-left = { $state } · { $elapsed } · 约剩 { $left }
jobs-running-late = { $state } · { $elapsed } · 比平时久一些
# $speed is a file size such as 2.0 MB
jobs-downloading = { $state } { $percent }% · { $speed }/秒
jobs-done = { $state } · 计费 { $seconds } 秒
jobs-done-estimate = { $state } · 计费 { $seconds } 秒 ≈ { $cost } { $currency }（估算）

## Details line of a job
# Length of the video
jobs-duration = { $seconds } 秒
# The video has sound
jobs-sound = 有声
# Time left, e.g. 23h05m
jobs-hours-minutes = { $hours } 小时 { $minutes } 分
jobs-task-id-valid = 任务 ID 有效 { $time }
jobs-link-valid = 视频链接有效 { $time }
# request_id is the service's name for the id of a call: keep it as is
jobs-request-id = request_id { $id }

## Actions
jobs-more = 更多
jobs-restore = 把设置恢复到编辑区
jobs-copy-task-id = 复制任务 ID
jobs-copy-request-id = 复制 request_id
jobs-copy-json = 复制请求（JSON）
jobs-copy-curl = 复制请求（curl）
jobs-remove = 从列表中移除（保留视频）
jobs-remove-delete = 移除并删除视频…
jobs-show-in-folder = 在文件夹中显示
jobs-play = 播放
jobs-cancel = 取消
jobs-submit-anew = 重新提交…
jobs-look-again = 再次查找
jobs-retry = 重试…
# Small button that copies the request_id of a failed call
jobs-request-id-button = request_id
jobs-request-id-hint = 复制 request_id，以便提供给技术支持

## Confirmation dialogs
jobs-retry-title = 重试这次生成？
jobs-retry-body = 重试会在服务端创建新任务，并再次计费。
jobs-retry-body-estimate = 重试会在服务端创建新任务，并再次计费（约 { $price } { $currency }，估算）。
jobs-retry-yes = 重试（再次计费）
jobs-retry-no = 保持不变
jobs-retry-over-daily = 这会超出每日上限：今日上限 { $limit } { $currency } 中已花费或即将花费 { $spent }。
jobs-retry-over-monthly = 这会超出每月上限：本月上限 { $limit } { $currency } 中已花费或即将花费 { $spent }。
jobs-retry-yes-over = 仍然重试（超出上限）
jobs-resubmit-title = 重新提交？
jobs-resubmit-body = 无法确定第一次提交是否已创建任务。重新提交可能会创建第二个任务，两者都会计费。如果可以等待，请改选“再次查找”。
jobs-resubmit-yes = 重新提交（可能重复计费）
jobs-resubmit-no = 暂不
jobs-delete-title = 删除视频？
jobs-delete-body = MP4 文件及其详情文件将从磁盘删除，任务也会从列表中移除。此操作无法撤销。
jobs-delete-yes = 删除
jobs-delete-no = 保留
# 失败或过期的任务：状态、错误代码、发生了什么。
jobs-failed-detail = { $state }（{ $code }）：{ $message }
# 一组镜次：相同设置多次生成，在列表中归为一组。
jobs-take = 镜次 { $index }/{ $of }
jobs-take-retry = 镜次 { $index }/{ $of }（重试）
jobs-set-takes = { $takes } 个镜次
jobs-set-state-count = { $state }：{ $count }
jobs-set-expand = 显示 { $takes } 个镜次
jobs-set-collapse = 收起镜次
jobs-set-billed = 已计费 { $seconds } 秒
jobs-set-billed-estimate = 已计费 { $seconds } 秒 · 合计 ≈ { $cost } { $currency }（估算）
jobs-set-estimate = 合计 ≈ { $cost } { $currency }（估算）
jobs-set-seeds-drawn = 每个镜次使用各自的种子
jobs-set-seed-shared = 种子 { $seed }
jobs-set-more = 整组
jobs-set-restore = 把这组的设置恢复到编辑区
jobs-take-seed = 种子 { $seed }
# A finished job's picture in its row: a frame of its own video.
jobs-poster = 视频画面
# In a row's picture box, when the job's video file is no longer where it was saved.
jobs-poster-missing = 视频已移动或删除

# 选择要并排对比的视频。
jobs-compare = 对比 { $count } 个
jobs-compare-hint = 以同一时钟并排播放所选视频（最多 { $max } 个）
jobs-compare-one-more = 请再选择一个已完成的视频进行对比
jobs-compare-clear = 清除选择
jobs-compare-choose = 选择以进行对比
jobs-compare-choose-hint = 选择此视频，与其他视频并排对比（2 到 { $max } 个）
jobs-compare-full = 已选择 { $max } 个视频：并排最多只能放这么多
jobs-set-compare = 对比各条
jobs-set-compare-hint = 以同一时钟并排播放这组中已完成的各条
jobs-set-compare-too-few = 对比至少需要两条已完成的视频
jobs-starred = 已加星标
