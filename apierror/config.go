package apierror

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/apiroutes/apiroutes/internal/logtext"
	"github.com/apiroutes/apiroutes/internal/reqid"
	"github.com/apiroutes/apiroutes/internal/watch"
	"github.com/apiroutes/apiroutes/jsoncodec"
)

// Config chooses how errors are rendered and where they are logged. The zero
// value is ready to use: JSON bodies, logs to [slog.Default].
//
// A layer with a non-zero Config ([Config.Recover]) records it for the
// request, and every layer inside it whose own field is nil uses the
// recorded one: wrapping a whole server in
// Config{Renderer: RenderProblem}.Recover switches every error of that
// server to problem+json, and a route can still choose its own.
type Config struct {
	// Renderer writes error responses. Nil means the renderer of the nearest
	// enclosing layer that set one, else [RenderJSON].
	Renderer Renderer
	// Logger receives the causes of 5xx errors, panics, and errors that
	// could not be sent. Nil means the enclosing layer's, else [slog.Default].
	Logger *slog.Logger
	// Codec writes the JSON and problem+json bodies, and is the JSON codec
	// of every layer inside this one whose own is nil: bodyparser's Decode
	// and Value, respond's JSON and Send. Nil means the enclosing layer's,
	// else encoding/json ([jsoncodec.Std]).
	Codec jsoncodec.Codec
}

// effective fills c's nil fields from the Config recorded on the response.
func (c *Config) effective(st *watch.Writer) Config {
	out := *c
	if st != nil {
		if out.Renderer == nil {
			out.Renderer, _ = st.Errors.Renderer.(Renderer)
		}
		if out.Logger == nil {
			out.Logger = st.Errors.Logger
		}
		if out.Codec == nil {
			out.Codec = st.Errors.Codec
		}
	}
	if out.Renderer == nil {
		out.Renderer = RenderJSON
	}
	if out.Logger == nil {
		out.Logger = slog.Default()
	}
	return out
}

// enter records c's non-nil fields for the layers inside, and returns what
// to restore when the layer returns.
func (c *Config) enter(st *watch.Writer) watch.ErrorConfig {
	prev := st.Errors
	if c.Renderer != nil {
		st.Errors.Renderer = c.Renderer
	}
	if c.Logger != nil {
		st.Errors.Logger = c.Logger
	}
	if c.Codec != nil {
		st.Errors.Codec = c.Codec
	}
	return prev
}

// Write sends err as an error response, or nothing when there is nothing to
// send. The status and message come from the error:
//
//   - an [*Error] in the chain: its status and message (a status outside
//     400–599 becomes 500 and is logged);
//   - context cancellation while the request's own context is done: the
//     client is gone, nothing is written;
//   - a [StatusCoder] in the chain: its status; its text for 4xx, the status
//     text for 5xx;
//   - [*http.MaxBytesError]: 413 "Body exceeded <limit> limit";
//   - [*json.SyntaxError], [*json.UnmarshalTypeError]: 400 (see [JSONError]);
//   - anything else: 500 "Internal Server Error".
//
// The cause of every 5xx is logged at Error level with the method and path,
// and never sent. A 500 says the handler failed to make its response: the
// headers set since the innermost apiroutes layer wrapped the response
// (Set-Cookie, Cache-Control...) are removed, and those of the layers
// outside it (CORS, Vary) stay. Any other status keeps every header (a
// 401's WWW-Authenticate, a 503's Retry-After). If the response has already
// started (known when w comes from an apiroutes layer), nothing more is
// written and the error is logged. HEAD responses get no body.
func (c Config) Write(w http.ResponseWriter, r *http.Request, err error) {
	c.write(w, watch.From(w), r, err)
}

// Write is [Config.Write] with the zero Config.
func Write(w http.ResponseWriter, r *http.Request, err error) {
	var c Config
	c.write(w, watch.From(w), r, err)
}

// Render sends e as it is, with c's renderer, without mapping or logging
// it. Like Write, it sends nothing (and logs at Error level) if the
// response has already started.
func (c Config) Render(w http.ResponseWriter, r *http.Request, e *Error) {
	st := watch.From(w)
	eff := c.effective(st)
	if st != nil && st.Started() {
		logAt(r.Context(), eff.Logger, slog.LevelError, "apierror: response already started, error not sent", r, e.Status, e)
		return
	}
	eff.render(w, st, r, e)
}

// render calls the renderer with c's codec recorded on the response, where
// the renderers find it (a Renderer has no Config).
func (c *Config) render(w http.ResponseWriter, st *watch.Writer, r *http.Request, e *Error) {
	if st != nil && c.Codec != nil {
		prev := st.Errors.Codec
		st.Errors.Codec = c.Codec
		defer func() { st.Errors.Codec = prev }()
	}
	c.Renderer(w, r, e)
}

func (c *Config) write(w http.ResponseWriter, st *watch.Writer, r *http.Request, err error) {
	if err == nil {
		return
	}
	eff := c.effective(st)
	e, logMsg := classify(r, err)
	if e == nil {
		logAt(r.Context(), eff.Logger, slog.LevelDebug, "apierror: nothing to send (client gone or response refused)", r, 0, err)
		return
	}
	if logMsg != "" {
		logAt(r.Context(), eff.Logger, slog.LevelError, logMsg, r, e.Status, err)
	}
	if st != nil && st.Started() {
		logAt(r.Context(), eff.Logger, slog.LevelError, "apierror: response already started, error not sent", r, e.Status, err)
		return
	}
	if st != nil && e.Status == http.StatusInternalServerError {
		st.ResetHeader() // see Write
	}
	eff.render(w, st, r, e)
}

// logAt logs one record, building its attributes only when the level is on.
// The request's id (package requestid) follows the path when it has one.
func logAt(ctx context.Context, l *slog.Logger, level slog.Level, msg string, r *http.Request, status int, err error, extra ...slog.Attr) {
	if !l.Enabled(ctx, level) {
		return
	}
	attrs := make([]slog.Attr, 0, 5+len(extra))
	// A client chooses the request line: log a bounded part of it.
	attrs = append(attrs, slog.String("method", logtext.Quote(r.Method)), slog.String("path", logtext.Quote(r.URL.Path)))
	attrs = reqid.AppendAttr(ctx, attrs)
	if status != 0 {
		attrs = append(attrs, slog.Int("status", status))
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	attrs = append(attrs, extra...)
	l.LogAttrs(ctx, level, msg, attrs...)
}
