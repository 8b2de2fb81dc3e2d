package bodyparser_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apiroutes/apiroutes/bodyparser"
	"github.com/apiroutes/apiroutes/hostile"
)

// Attacks on a multipart upload route, on a real loopback server. Each runs
// twice: against today's default, where multipart is read as text (the
// "before"), and against Config.Multipart (the "after"), which must stay
// within its bounds, leave no temporary file, and keep serving others.
// Not parallel: heap figures are process-wide.

const hostileBoundary = "hostileBoundary0123"

// uploadRoute serves POST /upload behind cfg; the handler reads every file
// to the end, as a real upload handler would.
func uploadRoute(cfg bodyparser.Config) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("POST /upload", bodyparser.New(cfg)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var n int64
		if fd := bodyparser.Multipart(r); fd != nil {
			for _, e := range fd.Entries() {
				if e.File != nil {
					f, err := e.File.Open()
					if err != nil {
						http.Error(w, err.Error(), 500)
						return
					}
					m, _ := io.Copy(io.Discard, f)
					f.Close()
					n += m
				}
				n += int64(len(e.Value))
			}
		} else {
			n = int64(len(bodyparser.Text(r)))
		}
		fmt.Fprintf(w, "%d", n)
	})))
	return mux
}

// probeUpload is the ordinary request sent during an attack: a small form.
func probeUpload(s *hostile.Server) *http.Request {
	body := "--" + hostileBoundary + "\r\nContent-Disposition: form-data; name=title\r\n\r\nhello\r\n--" +
		hostileBoundary + "\r\nContent-Disposition: form-data; name=f; filename=a.txt\r\nContent-Type: text/plain\r\n\r\n" +
		strings.Repeat("x", 2048) + "\r\n--" + hostileBoundary + "--\r\n"
	req, _ := http.NewRequest("POST", s.URL+"/upload", strings.NewReader(body))
	req.Header.Set("Content-Type", "multipart/form-data; boundary="+hostileBoundary)
	return req
}

// counter counts the bytes written through it into sent.
type counter struct {
	w    io.Writer
	sent *atomic.Int64
}

func (c counter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.sent.Add(int64(n))
	return n, err
}

// rawUpload sends a multipart request on a raw connection, writing the body
// with body (chunked when length < 0), and returns the status of the
// answer, 0 when none came. Writing stops when the server answers.
func rawUpload(t *testing.T, s *hostile.Server, sent *atomic.Int64, length int64, body func(w io.Writer) error) int {
	conn := s.Dial(t, 20*time.Second)
	defer conn.Close()
	head := "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=" + hostileBoundary + "\r\n"
	if length >= 0 {
		head += fmt.Sprintf("Content-Length: %d\r\n\r\n", length)
	} else {
		head += "Transfer-Encoding: chunked\r\n\r\n"
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		w := counter{conn, sent}
		if _, err := io.WriteString(w, head); err != nil {
			return
		}
		var bw io.Writer = w
		var cw io.WriteCloser
		if length < 0 {
			cw = chunkedWriter(w)
			bw = cw
		}
		if body(bw) == nil && cw != nil {
			cw.Close()
		}
	}()
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	conn.Close() // stops the writer
	<-done
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// chunkedWriter writes HTTP/1.1 chunks of what it is given.
func chunkedWriter(w io.Writer) io.WriteCloser { return &chunked{w} }

type chunked struct{ w io.Writer }

func (c *chunked) Write(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if _, err := fmt.Fprintf(c.w, "%x\r\n", len(p)); err != nil {
		return 0, err
	}
	if _, err := c.w.Write(p); err != nil {
		return 0, err
	}
	_, err := io.WriteString(c.w, "\r\n")
	return len(p), err
}

func (c *chunked) Close() error { _, err := io.WriteString(c.w, "0\r\n\r\n"); return err }

// repeat writes b n times.
func repeat(w io.Writer, b []byte, n int) error {
	for range n {
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	return nil
}

func TestMultipartAttacksCostBoundedMemoryAndLeaveNoFiles(t *testing.T) {
	if testing.Short() {
		t.Skip("hostile tests send megabytes")
	}
	d := "--" + hostileBoundary
	field := []byte(d + "\r\nContent-Disposition: form-data; name=f\r\n\r\nv\r\n")
	fileHead := d + "\r\nContent-Disposition: form-data; name=upload; filename=big.bin\r\nContent-Type: application/octet-stream\r\n\r\n"
	block := bytes.Repeat([]byte("0123456789abcdef"), 4096) // 64 KiB of file data
	headerLine := []byte("X-Filler: " + strings.Repeat("h", 100) + "\r\n")

	type attack struct {
		name string
		want int // status from the multipart route; 0: no answer
		run  func(s *hostile.Server, sent *atomic.Int64) int
		// peak and retained bounds for the multipart route
		peak, retained int64
		// tune changes the multipart route's limits
		tune func(*bodyparser.MultipartConfig)
	}
	attacks := []attack{
		{"10,000 parts", 413, func(s *hostile.Server, sent *atomic.Int64) int {
			return rawUpload(t, s, sent, int64(len(field)*10000+len(d)+2), func(w io.Writer) error {
				if err := repeat(w, field, 10000); err != nil {
					return err
				}
				_, err := io.WriteString(w, d+"--")
				return err
			})
		}, 6 << 20, 1 << 20, nil},
		{"10,000 parts under MaxParts 20,000 (the memory budget stops them)", 413, func(s *hostile.Server, sent *atomic.Int64) int {
			return rawUpload(t, s, sent, int64(len(field)*10000+len(d)+2), func(w io.Writer) error {
				if err := repeat(w, field, 10000); err != nil {
					return err
				}
				_, err := io.WriteString(w, d+"--")
				return err
			})
		}, 6 << 20, 1 << 20, func(c *bodyparser.MultipartConfig) { c.MaxParts = 20000 }},
		{"a 4 MiB part header of 40,000 lines", 413, func(s *hostile.Server, sent *atomic.Int64) int {
			return rawUpload(t, s, sent, -1, func(w io.Writer) error {
				io.WriteString(w, d+"\r\n")
				return repeat(w, headerLine, 40000)
			})
		}, 4 << 20, 1 << 20, nil},
		{"an unterminated boundary (a 1.75 MiB file, no closing boundary)", 400, func(s *hostile.Server, sent *atomic.Int64) int {
			return rawUpload(t, s, sent, -1, func(w io.Writer) error {
				io.WriteString(w, fileHead)
				return repeat(w, block, 28)
			})
		}, 6 << 20, 1 << 20, nil},
		{"a body that stops mid-part", 0, func(s *hostile.Server, sent *atomic.Int64) int {
			conn := s.Dial(t, 5*time.Second)
			fmt.Fprintf(counter{conn, sent}, "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=%s\r\nContent-Length: %d\r\n\r\n%s", hostileBoundary, 8<<20, fileHead)
			repeat(counter{conn, sent}, block, 40) // 2.5 MiB of 8: past MaxMemory, on disk
			time.Sleep(100 * time.Millisecond)
			conn.Close()
			time.Sleep(100 * time.Millisecond) // the server sees the end
			return 0
		}, 6 << 20, 1 << 20, nil},
		{"a 5 MiB file over the 2mb per-file limit", 413, func(s *hostile.Server, sent *atomic.Int64) int {
			return rawUpload(t, s, sent, -1, func(w io.Writer) error {
				io.WriteString(w, fileHead)
				if err := repeat(w, block, 80); err != nil {
					return err
				}
				_, err := io.WriteString(w, "\r\n"+d+"--\r\n")
				return err
			})
		}, 6 << 20, 1 << 20, nil},
		{"16 concurrent uploads of a 1.5 MiB file", 200, func(s *hostile.Server, sent *atomic.Int64) int {
			statuses := make([]int, 16)
			hostile.Concurrently(16, func(i int) {
				statuses[i] = rawUpload(t, s, sent, -1, func(w io.Writer) error {
					io.WriteString(w, fileHead)
					if err := repeat(w, block, 24); err != nil {
						return err
					}
					_, err := io.WriteString(w, "\r\n"+d+"--\r\n")
					return err
				})
			})
			for _, st := range statuses {
				if st != statuses[0] {
					return -st
				}
			}
			return statuses[0]
		}, 16*(1<<20+64<<10) + 8<<20, 1 << 20, nil},
	}

	for _, a := range attacks {
		t.Run(a.name, func(t *testing.T) {
			for _, multipart := range []bool{false, true} {
				dir := t.TempDir()
				cfg := bodyparser.Config{SizeLimit: "8mb"}
				name := a.name + " (before: read as text)"
				if multipart {
					cfg.Multipart = &bodyparser.MultipartConfig{MaxFileSize: "2mb", MaxMemory: "1mb", TempDir: dir}
					if a.tune != nil {
						a.tune(cfg.Multipart)
					}
					name = a.name + " (Config.Multipart)"
				}
				s := hostile.Start(t, uploadRoute(cfg))
				var status int
				rep := hostile.Run(t, s, hostile.Attack{
					Name: name,
					Run: func(ctx context.Context, s *hostile.Server, sent *atomic.Int64) {
						status = a.run(s, sent)
					},
					Probe:       probeUpload,
					ProbeStatus: 200,
				})
				t.Logf("%s: status %d", name, status)
				if !multipart {
					continue
				}
				if status != a.want {
					t.Errorf("%s: status %d, want %d", name, status, a.want)
				}
				hostile.Check(t, rep, a.peak, a.retained)
				// The server may still be cleaning up a request whose client left.
				var left []os.DirEntry
				for range 50 {
					if left, _ = os.ReadDir(dir); len(left) == 0 {
						break
					}
					time.Sleep(10 * time.Millisecond)
				}
				if len(left) != 0 {
					t.Errorf("%s: %d temporary files left", name, len(left))
				}
			}
		})
	}
}
