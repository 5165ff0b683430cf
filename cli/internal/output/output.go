// Package output prints what commands report: tables, JSON and YAML for
// scripts, and on a terminal colour and a progress line for every wait.
package output

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"golang.org/x/term"
	"sigs.k8s.io/yaml"
)

// Printer writes to one stream, in colour and with spinners only when it is
// a terminal.
type Printer struct {
	Out      io.Writer
	terminal bool
}

// New returns a Printer for out; colour and spinners are on when out is a
// terminal and NO_COLOR is unset.
func New(out io.Writer) *Printer {
	f, ok := out.(*os.File)
	tty := ok && term.IsTerminal(int(f.Fd())) && os.Getenv("NO_COLOR") == ""
	return &Printer{Out: out, terminal: tty}
}

// Table prints rows under headers, aligned.
func (p *Printer) Table(headers []string, rows [][]string) error {
	w := tabwriter.NewWriter(p.Out, 0, 0, 3, ' ', 0)
	fmt.Fprintln(w, strings.Join(headers, "\t"))
	for _, r := range rows {
		fmt.Fprintln(w, strings.Join(r, "\t"))
	}
	return w.Flush()
}

// JSON prints v as indented JSON.
func (p *Printer) JSON(v any) error {
	enc := json.NewEncoder(p.Out)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// YAML prints v as YAML.
func (p *Printer) YAML(v any) error {
	data, err := yaml.Marshal(v)
	if err != nil {
		return err
	}
	_, err = p.Out.Write(data)
	return err
}

// Success prints a line marked as done (green ✔ on a terminal).
func (p *Printer) Success(format string, args ...any) {
	p.mark("\033[32m✔\033[0m", "✔", format, args...)
}

// Failure prints a line marked as failed (red ✗ on a terminal).
func (p *Printer) Failure(format string, args ...any) {
	p.mark("\033[31m✗\033[0m", "✗", format, args...)
}

// Info prints a plain progress line (► ...).
func (p *Printer) Info(format string, args ...any) {
	p.mark("\033[36m►\033[0m", "►", format, args...)
}

func (p *Printer) mark(colour, plain, format string, args ...any) {
	m := plain
	if p.terminal {
		m = colour
	}
	fmt.Fprintf(p.Out, "%s %s\n", m, fmt.Sprintf(format, args...))
}

// Colour returns s in green for "True", red for "False", as is otherwise
// or when not on a terminal.
func (p *Printer) Colour(status string) string {
	if !p.terminal {
		return status
	}
	switch status {
	case "True":
		return "\033[32m" + status + "\033[0m"
	case "False":
		return "\033[31m" + status + "\033[0m"
	}
	return status
}

// Spinner shows msg with a spinner until stop is called (on a terminal),
// or prints msg once (otherwise). Every wait of the CLI uses one.
func (p *Printer) Spinner(msg string) (stop func()) {
	if !p.terminal {
		fmt.Fprintf(p.Out, "◎ %s\n", msg)
		return func() {}
	}
	done := make(chan struct{})
	var once sync.Once
	go func() {
		frames := []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for i := 0; ; i++ {
			select {
			case <-done:
				fmt.Fprint(p.Out, "\r\033[K")
				return
			case <-t.C:
				fmt.Fprintf(p.Out, "\r\033[36m%s\033[0m %s", frames[i%len(frames)], msg)
			}
		}
	}()
	return func() {
		once.Do(func() { close(done) })
		time.Sleep(0) // let the spinner clear its line
	}
}
