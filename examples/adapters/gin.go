package adapters

import (
	"net/http"
	"sync"

	"github.com/gin-gonic/gin"
)

// Gin mounts the API on gin behind gin's Logger. gin keeps route
// parameters in c.Params; a middleware copies them into r.PathValue.
// gin's writer holds the status back until the first byte or the end of
// the handler; apiroutes still sees a 204 that has no body as an answer.
func Gin(a *API) http.Handler {
	ginMode.Do(func() { gin.SetMode(gin.ReleaseMode) }) // a global of gin's
	g := gin.New()
	g.HandleMethodNotAllowed = true
	g.Use(gin.LoggerWithWriter(a.AccessLog), ginPathValues)
	g.NoRoute(gin.WrapH(notFound))
	g.NoMethod(gin.WrapH(methodNotAllowed)) // gin has set Allow
	g.Any("/api/tasks", gin.WrapH(a.Tasks()))
	g.Match(taskByIDMethods, "/api/tasks/:id", gin.WrapH(a.TaskByID()))
	for path, h := range a.Routes() {
		g.Any(path, gin.WrapH(h))
	}
	return a.Server(g)
}

// ginPathValues copies gin's route parameters into r.PathValue.
func ginPathValues(c *gin.Context) {
	for _, p := range c.Params {
		c.Request.SetPathValue(p.Key, p.Value)
	}
	c.Next()
}

var ginMode sync.Once
