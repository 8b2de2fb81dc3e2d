module github.com/apiroutes/apiroutes/benchmarks

// Not the library: the benchmarks may use what they like (1.24 for b.Loop).
go 1.24

require github.com/apiroutes/apiroutes v0.0.0

require golang.org/x/text v0.22.0 // indirect

// Always measure the library in this repository, with or without the
// workspace (GOWORK=off).
replace github.com/apiroutes/apiroutes => ../
