package adapters

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/apiroutes/apiroutes/apierror"
	"github.com/apiroutes/apiroutes/bodyparser"
)

// Echo mounts the API on echo v4 behind echo's Logger. echo keeps route
// parameters in its Context; a middleware copies them into r.PathValue.
// echo's router answers 404 and 405 by returning an *echo.HTTPError, which
// EchoErrorHandler renders with apierror.
//
// It also serves echo-style handlers (func(echo.Context) error) behind the
// apiroutes chain, mounted with echo.WrapMiddleware:
//
//	POST /api/echo/tasks:  chain → echo's BodyLimit → EchoErrorsInside → handler
//	GET  /api/echo/bare/:id: chain → handler, without EchoErrorsInside (see its doc)
func Echo(a *API) http.Handler {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = EchoErrorHandler(apierror.Config{})
	e.Use(middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		LogMethod: true, LogURI: true, LogStatus: true, HandleError: true,
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			_, err := fmt.Fprintf(a.AccessLog, "%s %s %d\n", v.Method, v.URI, v.Status)
			return err
		},
	}), echoPathValues)
	e.Any("/api/tasks", echo.WrapHandler(a.Tasks()))
	e.Match(taskByIDMethods, "/api/tasks/:id", echo.WrapHandler(a.TaskByID()))
	for path, h := range a.Routes() {
		e.Any(path, echo.WrapHandler(h))
	}
	chain := echo.WrapMiddleware(a.Chain())
	e.POST("/api/echo/tasks", echoCreateTask, chain, middleware.BodyLimit("1M"), EchoErrorsInside)
	e.GET("/api/echo/bare/:id", echoGetTask, chain)
	return a.Server(e)
}

// EchoErrorHandler is an echo.HTTPErrorHandler that renders errors with
// errs (its zero value inherits the server's renderer), keeping the status
// and message of echo's *echo.HTTPError. README.md shows it and
// EchoErrorsInside as a recipe to copy; keep them the same
// (TestReadmeRecipesAreTheTestedCode).
func EchoErrorHandler(errs apierror.Config) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return // answered already: RequestLogger with HandleError renders an error and still returns it
		}
		var he *echo.HTTPError
		if errors.As(err, &he) { // its status is a field apierror cannot see: wrap it in an error apierror reads
			msg, _ := he.Message.(string)
			if msg == "" || he.Code >= 500 {
				msg = http.StatusText(he.Code) // no internal detail in a 5xx, no non-string message
			}
			err = apierror.Wrap(err, he.Code, msg)
		}
		errs.Write(c.Response(), c.Request(), err) // the zero Config renders as the enclosing apierror.Recover does
	}
}

// EchoErrorsInside renders a handler's returned error at once, with echo's
// HTTPErrorHandler, and returns nil. Place it last, after the
// echo.WrapMiddleware of the apiroutes chain.
func EchoErrorsInside(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := next(c); err != nil {
			c.Error(err) // now, inside the chain: echo renders it after the chain has returned, and the chain warns that nothing was sent
		}
		return nil
	}
}

// echoPathValues copies echo's route parameters into r.PathValue.
func echoPathValues(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		for i, name := range c.ParamNames() {
			if i < len(c.ParamValues()) {
				r.SetPathValue(name, c.ParamValues()[i])
			}
		}
		return next(c)
	}
}

// echoCreateTask is createTask written for echo, reading the body through
// apiroutes' bodyparser although echo's BodyLimit replaced r.Body.
func echoCreateTask(c echo.Context) error {
	in, err := bodyparser.Decode[Task](c.Request(), bodyparser.DisallowUnknownFields)
	if err != nil {
		return err
	}
	if in.Title == "" {
		return echo.NewHTTPError(http.StatusBadRequest, "title is required")
	}
	in.ID = "1"
	return c.JSON(http.StatusCreated, in)
}

func echoGetTask(c echo.Context) error {
	if c.Param("id") == "0" {
		return echo.ErrNotFound
	}
	return c.JSON(http.StatusOK, Task{ID: c.Param("id"), Title: "write docs"})
}
