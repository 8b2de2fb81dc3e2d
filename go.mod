module github.com/apiroutes/apiroutes

// 1.25 is the floor: compose's cross-origin protection is
// net/http's CrossOriginProtection (new in 1.25), and 1.23 and 1.24 no
// longer get security fixes. route.Query also reads r.Pattern (1.23).
go 1.25.0

require (
	github.com/justinas/alice v1.2.0
	github.com/rs/cors v1.11.1
)
