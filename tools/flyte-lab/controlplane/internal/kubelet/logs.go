package kubelet

// Container logs: each container's stdout and stderr, interleaved as Docker stored them, are copied into
// <logs-dir>/<namespace>/<pod>/<container>.log while the container runs (the control plane serves these files as
// task log links; the layout is fixed). A restarted container appends to the same file. The file holds the raw
// output (no CRI timestamps or stream tags).
//
// Adoption after a runner restart: for every instance the runner records in <n>-log-offset where that instance's
// output starts in the file. Docker's log is complete, so a new runner re-reads the instance's log from the start
// and skips what the file already holds past that offset: no line is lost or written twice.

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// logPath is where a container's log file lives.
func logPath(logsDir, namespace, pod, container string) string {
	return filepath.Join(logsDir, namespace, pod, container+".log")
}

// skipWriter drops the first skip bytes written to it and passes the rest to w.
type skipWriter struct {
	w    io.Writer
	skip int64
}

func (s *skipWriter) Write(p []byte) (int, error) {
	n := len(p)
	if s.skip > 0 {
		if int64(len(p)) <= s.skip {
			s.skip -= int64(len(p))
			return n, nil
		}
		p = p[s.skip:]
		s.skip = 0
	}
	if _, err := s.w.Write(p); err != nil {
		return 0, err
	}
	return n, nil
}

// openLog opens the log file of one container instance for appending and returns how many bytes of the instance's
// output it already holds. fresh is true for a new instance: its offset is recorded as the current end of the file
// (the file is emptied first for a Pod's first instance, in case an earlier Pod of the same name left one).
func openLog(path, offsetFile string, fresh, first bool) (*os.File, int64, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, 0, err
	}
	if err := os.MkdirAll(filepath.Dir(offsetFile), 0o755); err != nil {
		return nil, 0, err
	}
	flags := os.O_CREATE | os.O_WRONLY
	if fresh && first {
		flags |= os.O_TRUNC
	}
	f, err := os.OpenFile(path, flags, 0o644)
	if err != nil {
		return nil, 0, err
	}
	end, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	if fresh {
		if err := os.WriteFile(offsetFile, []byte(strconv.FormatInt(end, 10)), 0o644); err != nil {
			f.Close()
			return nil, 0, err
		}
		return f, 0, nil
	}
	base := int64(0)
	if b, err := os.ReadFile(offsetFile); err == nil {
		base, _ = strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	} else if first {
		// No record of where this instance started: it is the Pod's first, so its output is the whole file.
		base = 0
	} else {
		base = end // unknown: append everything again rather than lose output
	}
	return f, max(end-base, 0), nil
}

// streamLogs copies a container instance's output into its log file until the container stops or ctx ends.
func streamLogs(ctx context.Context, d *Docker, id string, tty bool, path, offsetFile string, fresh, first bool) error {
	f, already, err := openLog(path, offsetFile, fresh, first)
	if err != nil {
		return fmt.Errorf("log file: %w", err)
	}
	defer f.Close()
	return d.Logs(ctx, id, true, tty, "all", &skipWriter{w: f, skip: already})
}

// tailBuffer keeps the last n bytes written to it.
type tailBuffer struct {
	n   int
	buf []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.buf = append(t.buf, p...)
	if len(t.buf) > t.n {
		t.buf = append([]byte(nil), t.buf[len(t.buf)-t.n:]...)
	}
	return len(p), nil
}

// logTail returns the last 80 lines (at most 2048 bytes) of a container's output, which the kubelet uses as the
// termination message with terminationMessagePolicy FallbackToLogsOnError.
func logTail(ctx context.Context, d *Docker, id string, tty bool) string {
	t := &tailBuffer{n: maxTerminationMessageLogLength}
	if err := d.Logs(ctx, id, false, tty, strconv.Itoa(maxTerminationMessageLogLines), t); err != nil {
		return fmt.Sprintf("Error on reading termination message from logs: %v", err)
	}
	return string(t.buf)
}
