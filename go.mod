module github.com/apiroutes/apiroutes

// 1.22 is the floor: ServeMux method and wildcard patterns (route), r.PathValue,
// and range-over-int. Nothing newer is needed by the library itself.
go 1.22

require (
	github.com/rs/cors v1.11.1
	golang.org/x/text v0.22.0
)
