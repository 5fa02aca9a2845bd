#!/usr/bin/env bash
# Makes the test clips under assets/test-clips/ and their FFmpeg reference data.
#
# Needs ffmpeg (Debian: apt-get install ffmpeg) and python3, at development time only:
# the clips and the references are committed, and neither the app nor `cargo test`
# runs FFmpeg. Run this only to change the clips.
#
# Every clip is H.264 High profile with B-frames at 24 fps, tagged BT.709 limited
# range, like the service's output. Low resolutions keep the files small; exactness
# does not depend on size. `<clip>.md5` holds one line per frame in presentation
# order: the MD5 of FFmpeg's decoded I420 picture (Y plane, then U, then V, with no
# padding), which is what `ffmpeg -f framemd5` hashes for yuv420p.
set -euo pipefail
cd "$(dirname "$0")"

common=(-hide_banner -loglevel error -y)
h264=(-c:v libx264 -preset medium -profile:v high -bf 3 -g 24 -keyint_min 24 -sc_threshold 0
      -pix_fmt yuv420p -colorspace bt709 -color_primaries bt709 -color_trc bt709 -color_range tv)
to709="scale=out_color_matrix=bt709:out_range=tv,format=yuv420p"

# `make-test-clips.sh player-bench`: only the two 15 s clips the player benchmark
# plays (benches/video_player.rs), at the service's bitrate class, in /tmp (about
# 15 MB and 6 MB; not committed).
if [ "${1:-}" = player-bench ]; then
  for size in 1920x1080:1080p:8M:10M 960x540:540p:3M:4M; do
    IFS=: read -r dims name rate max <<<"$size"
    ffmpeg "${common[@]}" -f lavfi -i "testsrc2=size=$dims:rate=24:duration=15" \
      -vf "$to709" "${h264[@]}" -b:v "$rate" -maxrate "$max" -bufsize "$max" -movflags +faststart \
      "/tmp/player-15s-$name.mp4"
  done
  exit 0
fi

# 16:9, with AAC, moov at the end (FFmpeg's default), 2 s.
ffmpeg "${common[@]}" -f lavfi -i "testsrc2=size=320x180:rate=24:duration=2" \
  -f lavfi -i "sine=frequency=440:duration=2" \
  -vf "$to709" "${h264[@]}" -crf 30 -c:a aac -b:a 32k -shortest wide-16x9-aac-moov-last.mp4

# 9:16, no audio, moov first, 2 s.
ffmpeg "${common[@]}" -f lavfi -i "testsrc2=size=180x320:rate=24:duration=2" \
  -vf "$to709" "${h264[@]}" -crf 30 -movflags +faststart tall-9x16-moov-first.mp4

# 21:9, with AAC, moov first, 2 s.
ffmpeg "${common[@]}" -f lavfi -i "testsrc2=size=336x144:rate=24:duration=2" \
  -f lavfi -i "sine=frequency=660:duration=2" \
  -vf "$to709" "${h264[@]}" -crf 30 -c:a aac -b:a 32k -shortest -movflags +faststart \
  cinema-21x9-aac.mp4

# Stereo 48 kHz AAC, moov first, 2 s: a chirp on the left, two tones on the right.
# No perceptual noise substitution (-aac_pns 0), so that a seek gives exactly the
# samples of a decode from the start (tests/audio_decode.rs).
ffmpeg "${common[@]}" -f lavfi -i "testsrc2=size=64x36:rate=24:duration=2" \
  -f lavfi -i "aevalsrc=0.4*sin(2*PI*(200+1500*t)*t)|0.25*sin(2*PI*660*t)+0.1*sin(2*PI*5000*t):s=48000:d=2" \
  -vf "$to709" "${h264[@]}" -crf 30 -c:a aac -aac_pns 0 -b:a 96k -shortest -movflags +faststart \
  stereo-48k-aac.mp4

# FFmpeg's keyed metadata layout (-movflags use_metadata_tags: udta/meta with an
# `mdta` handler, a `keys` list, items named by key index), with sound, moov first,
# 0.5 s: settings written into it extend that layout and keep its tags
# (src/provenance/mp4.rs, tests/provenance_mp4.rs).
ffmpeg "${common[@]}" -f lavfi -i "testsrc2=size=64x36:rate=24:duration=0.5" \
  -f lavfi -i "sine=frequency=440:duration=0.5" \
  -vf "$to709" "${h264[@]}" -crf 30 -c:a aac -b:a 32k -shortest \
  -movflags +faststart+use_metadata_tags -metadata title="Keyed layout" \
  -metadata comment="A comment from another program" -metadata com.example.note="kept as is" \
  keyed-metadata.mp4

# Sound that is not AAC (the picture plays, the sound is refused by name).
ffmpeg "${common[@]}" -f lavfi -i "testsrc2=size=64x36:rate=24:duration=0.5" \
  -f lavfi -i "sine=frequency=440:sample_rate=48000:duration=0.5" \
  -vf "$to709" "${h264[@]}" -crf 30 -c:a libopus -b:a 24k -shortest -movflags +faststart opus-audio.mp4
ffmpeg "${common[@]}" -f lavfi -i "testsrc2=size=64x36:rate=24:duration=0.5" \
  -f lavfi -i "sine=frequency=440:sample_rate=44100:duration=0.5" \
  -vf "$to709" "${h264[@]}" -crf 30 -c:a libmp3lame -b:a 32k -shortest -movflags +faststart mp3-audio.mp4

# Flat colours: 1 s of sRGB (200, 40, 60), then 1 s of (30, 90, 220), BT.709 limited.
ffmpeg "${common[@]}" \
  -f lavfi -i "color=c=0xC8283C:size=64x64:rate=24:duration=1" \
  -f lavfi -i "color=c=0x1E5ADC:size=64x64:rate=24:duration=1" \
  -filter_complex "[0:v][1:v]concat=n=2:v=1:a=0,$to709" \
  "${h264[@]}" -crf 18 -movflags +faststart flat-colours.mp4

# Starts with 12 black frames, then the test pattern: the poster must skip the black.
ffmpeg "${common[@]}" \
  -f lavfi -i "color=c=black:size=128x72:rate=24:duration=0.5" \
  -f lavfi -i "testsrc2=size=128x72:rate=24:duration=1.5" \
  -filter_complex "[0:v][1:v]concat=n=2:v=1:a=0,$to709" \
  "${h264[@]}" -crf 30 -movflags +faststart black-start.mp4

# Not H.264: the same picture in HEVC and in AV1 (both must be refused clearly).
ffmpeg "${common[@]}" -f lavfi -i "testsrc2=size=64x64:rate=24:duration=0.25" \
  -c:v libx265 -x265-params log-level=none -tag:v hvc1 -pix_fmt yuv420p hevc.mp4
ffmpeg "${common[@]}" -f lavfi -i "testsrc2=size=64x64:rate=24:duration=0.25" \
  -c:v libaom-av1 -cpu-used 8 -crf 50 -pix_fmt yuv420p av1.mp4

# Half a second at 1920x1080 for the decode benchmark (benches/video.rs), which
# decodes it over and over. BENCH_SECONDS=5 makes a longer one (not committed; point
# R2V_VIDEO_BENCH_CLIP at it) at the service's bitrate class.
ffmpeg "${common[@]}" -f lavfi -i "testsrc2=size=1920x1080:rate=24:duration=${BENCH_SECONDS:-0.5}" \
  -vf "$to709" "${h264[@]}" -b:v 2M -maxrate 3M -bufsize 3M -movflags +faststart \
  "${BENCH_OUT:-bench-1080p.mp4}"

# Reference checksums of FFmpeg's own decode, one MD5 per frame in presentation order.
for clip in wide-16x9-aac-moov-last tall-9x16-moov-first cinema-21x9-aac flat-colours \
            black-start bench-1080p keyed-metadata; do
  ffmpeg -hide_banner -loglevel error -i "$clip.mp4" -map 0:v:0 -f framemd5 -pix_fmt yuv420p - \
    | grep -v '^#' | awk -F', *' '{print $6}' > "$clip.md5"
done

# Sound references (tests/audio_decode.rs): FFmpeg's own decode of each AAC track
# (the edit list applied as FFmpeg applies it). <clip>.pcm holds the first second as
# 16-bit little-endian interleaved samples; <clip>.audio holds the sample rate, the
# channels, the frames FFmpeg gives (FFmpeg 5.1 keeps the last access unit's padding),
# the frames the edit list plays (the track's duration), and each channel's RMS over
# those (from FFmpeg's f32 output).
python3 - <<'EOF'
import array, math, subprocess
for clip in ["wide-16x9-aac-moov-last", "cinema-21x9-aac", "stereo-48k-aac"]:
    probe = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "a:0", "-show_entries",
         "stream=sample_rate,channels,duration_ts", "-of", "csv=p=0", f"{clip}.mp4"],
        check=True, capture_output=True, text=True).stdout.strip().split(",")
    rate, channels, length = int(probe[0]), int(probe[1]), int(probe[2])
    def decode(fmt):
        return subprocess.run(
            ["ffmpeg", "-hide_banner", "-loglevel", "error", "-i", f"{clip}.mp4",
             "-map", "0:a:0", "-f", fmt, "-"], check=True, capture_output=True).stdout
    s16 = decode("s16le")
    open(f"{clip}.pcm", "wb").write(s16[: rate * channels * 2])
    f32 = array.array("f", decode("f32le"))
    frames = len(f32) // channels
    played = f32[: length * channels]
    rms = [math.sqrt(sum(x * x for x in played[c::channels]) / length) for c in range(channels)]
    with open(f"{clip}.audio", "w") as out:
        out.write(f"{rate} {channels} {frames} {length} " + " ".join(f"{r:.6f}" for r in rms) + "\n")
EOF

# Broken inputs, made from the clips above.
: > zero-bytes.mp4
head -c 9000 wide-16x9-aac-moov-last.mp4 > truncated.mp4      # mdat cut, moov missing
printf 'This is a text file that pretends to be a video.\n' > not-mp4.mp4
python3 - <<'EOF'
import struct

def find_box(data, name, start=0):
    i = data.find(name, start)
    if i < 4:
        raise SystemExit(f"no {name!r}")
    return i - 4  # offset of the box's size field

# Absurd declared dimensions: the avc1 sample entry and the track header claim
# 30000x30000 (the stream itself is 180x320).
data = bytearray(open("tall-9x16-moov-first.mp4", "rb").read())
avc1 = find_box(data, b"avc1")
# avc1 body: 6 reserved, 2 data_reference_index, 16 pre_defined/reserved, then width, height.
struct.pack_into(">HH", data, avc1 + 8 + 24, 30000, 30000)
tkhd = find_box(data, b"tkhd")
version = data[tkhd + 8]
wh = tkhd + 8 + (88 if version == 1 else 76)
struct.pack_into(">II", data, wh, 30000 << 16, 30000 << 16)
open("absurd-dimensions.mp4", "wb").write(data)

# Corrupt slices: every byte of the media data after its first 2 KB is scrambled in
# a fixed pattern; the sample tables stay intact.
data = bytearray(open("tall-9x16-moov-first.mp4", "rb").read())
mdat = find_box(data, b"mdat")
size = struct.unpack_from(">I", data, mdat)[0]
for i in range(mdat + 8 + 2048, mdat + size, 7):
    data[i] ^= 0x5A
open("corrupt-slices.mp4", "wb").write(data)
EOF
ls -l ./*.mp4
