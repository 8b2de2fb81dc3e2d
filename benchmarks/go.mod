module github.com/apiroutes/apiroutes/benchmarks

// Not the library: the benchmarks may use what they like (1.24 for b.Loop,
// 1.25 for httpsnoop v1.1.0).
go 1.25

require (
	github.com/apiroutes/apiroutes v0.0.0
	github.com/felixge/httpsnoop v1.1.0
)

require golang.org/x/text v0.22.0 // indirect

// Always measure the library in this repository, with or without the
// workspace (GOWORK=off).
replace github.com/apiroutes/apiroutes => ../
