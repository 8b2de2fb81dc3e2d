module github.com/apiroutes/apiroutes

// 1.23 is the floor: route.Query reads the matched pattern from r.Pattern
// (settable since 1.23) to rebuild Next's req.query without storing
// anything per request; r.PathValue and SetPathValue need 1.22.
go 1.23

require (
	github.com/justinas/alice v1.2.0
	github.com/rs/cors v1.11.1
)
