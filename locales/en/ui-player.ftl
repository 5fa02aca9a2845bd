# The player: a video inside the window (ui::player)
player-opening = Opening the video…
# Size and frame rate of the clip, e.g. "1920×1080 · 24 fps"
player-clip-info = { $width }×{ $height } · { $fps } fps
player-close = Close
player-close-hint = Close the player (Esc) and go back to the editor
player-show-in-folder = Show in folder
player-open-system = Open in the system player
player-play = Play
player-pause = Pause
player-play-hint = Play or pause (Space)
player-step-back = One frame back (← or ,)
player-step-forward = One frame forward (→ or .)
# Shown frame's time and the clip's length, both as minutes:seconds.frame
player-time = { $time } / { $total }
# Which frame is on screen, counted from 1
player-frame = Frame { $frame } of { $count }
player-loop = Loop
player-loop-hint = Start again from the beginning at the end
player-mute = Mute
player-volume = Volume
# Accessible name of the scrub bar
player-scrub = Position in the video

## Jobs list
jobs-play-in-window = Play in the window
jobs-play-in-window-hint = Click to play the video in the window

# The take sheet: 2 to 4 videos side by side on one clock.
sheet-title = Comparing { $videos } videos
sheet-too-few = Choose at least two finished videos that are still on disk to compare them.
sheet-take = Take { $index } of { $of }
sheet-video = Video { $number }
sheet-seed = Seed { $seed }
sheet-seed-random = Seed drawn by the service (not known)
sheet-star = Star { $take }
sheet-star-hint = Star the take you like (kept with the job; shown in the list)
sheet-note = Note on { $take }
sheet-note-hint = Note…
sheet-note-about = A short note on this take, kept with the job when you leave the field
sheet-use-settings = Use these settings
sheet-use-settings-of = Use the settings of { $take }
sheet-use-settings-hint = Put this take's references, prompt and settings (its seed included) into the editor
sheet-wipe = A/B wipe
sheet-wipe-hint = Show two videos in one picture, A left of the line and B right of it; drag across the picture to move the line
sheet-hear = Sound
sheet-hear-take = Hear { $take }
sheet-hear-hint = Hear this video's sound (one at a time; mute and volume are beside Loop)
