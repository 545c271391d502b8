package recorder

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

const mp4File = "lesson.mp4"

// MP4 returns the path of a finished recording as one MP4 file, made on
// first request by ffmpeg copying the streams out of the HLS recording
// (no re-encoding) and kept next to it.
func (r *Recorder) MP4(ctx context.Context, lessonID, id string) (string, error) {
	info, err := r.Recording(lessonID, id)
	if err != nil {
		return "", err
	}
	if info.State == StateRecording {
		return "", fmt.Errorf("%w: recording %s is still being written", ErrBusy, id)
	}
	dir := filepath.Join(r.dir, lessonID, id)
	out := filepath.Join(dir, mp4File)
	r.mp4Mu.Lock()
	defer r.mp4Mu.Unlock()
	if _, err := os.Stat(out); err == nil {
		return out, nil
	}
	if err := r.checkDisk(); err != nil {
		return "", err
	}
	bin, err := exec.LookPath("ffmpeg")
	if err != nil {
		return "", fmt.Errorf("recorder: MP4 download needs ffmpeg: %w", err)
	}
	tmp := out + ".part"
	cmd := exec.CommandContext(ctx, bin, "-nostdin", "-v", "error", "-y", "-i", filepath.Join(dir, "index.m3u8"),
		"-map", "0", "-c", "copy", "-movflags", "+faststart", "-f", "mp4", tmp)
	if b, err := cmd.CombinedOutput(); err != nil {
		_ = os.Remove(tmp)
		return "", fmt.Errorf("recorder: ffmpeg remux: %v: %s", err, b)
	}
	if err := os.Rename(tmp, out); err != nil {
		return "", err
	}
	r.log.Info("recording remuxed to MP4", "lesson", lessonID, "recording", id)
	return out, nil
}

// SetHidden unpublishes (true) or republishes a finished recording.
func (r *Recorder) SetHidden(lessonID, id string, hidden bool) (Info, error) {
	r.mp4Mu.Lock()
	defer r.mp4Mu.Unlock()
	info, err := r.Recording(lessonID, id)
	if err != nil {
		return info, err
	}
	if info.State == StateRecording {
		return info, fmt.Errorf("%w: recording %s is still being written", ErrBusy, id)
	}
	info.Hidden = hidden
	ctx, cancel := catalogCtx()
	defer cancel()
	return info, r.cat.PutRecording(ctx, info)
}
