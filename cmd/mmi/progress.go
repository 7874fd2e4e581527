package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progress reports long work on stderr: a bar on a terminal, plain lines
// at most every interval elsewhere (logs, CI), so output stays readable
// wherever it goes.
type progress struct {
	w        io.Writer
	bar      *progressbar.ProgressBar
	total    int
	from     int // units already done when the work started
	reported int // units done at the last line printed
	label    string
	start    time.Time
	last     time.Time
	interval time.Duration
}

func newProgress(w io.Writer, from, total int, label string) *progress {
	p := &progress{w: w, from: from, reported: -1, total: total, label: label, start: time.Now(), interval: 5 * time.Second}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.bar = progressbar.NewOptions(total,
			progressbar.OptionSetWriter(w),
			progressbar.OptionSetDescription(label),
			progressbar.OptionShowCount(),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString("steps"),
			progressbar.OptionThrottle(200*time.Millisecond),
			progressbar.OptionClearOnFinish(),
		)
	}
	return p
}

// update reports that done of total units are finished; detail is a short
// status such as the current loss.
func (p *progress) update(done int, detail string) {
	if p.bar != nil {
		p.bar.Describe(p.label + " " + detail)
		_ = p.bar.Set(done)
		return
	}
	now := time.Now()
	if (now.Sub(p.last) < p.interval && done < p.total) || done == p.reported {
		return
	}
	p.last, p.reported = now, done
	el := now.Sub(p.start)
	rate := float64(done-p.from) / el.Seconds()
	left := "?"
	if rate > 0 {
		left = timeLeft(float64(p.total-done) / rate)
	}
	fmt.Fprintf(p.w, "%s %d/%d %s %.1f/s elapsed %s left %s\n", p.label, done, p.total, detail, rate,
		el.Round(time.Second), left)
}

// timeLeft formats secs seconds; beyond a year (a time.Duration of
// --steps 9223372036854775807 overflowed into a negative time) in years.
func timeLeft(secs float64) string {
	const year = 365.25 * 24 * 3600
	if secs >= year {
		return fmt.Sprintf("%.3g years", secs/year)
	}
	return time.Duration(secs * float64(time.Second)).Round(time.Second).String()
}

func (p *progress) finish() {
	if p.bar != nil {
		_ = p.bar.Finish()
	}
}
