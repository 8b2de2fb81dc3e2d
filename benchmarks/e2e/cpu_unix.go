//go:build unix

package main

import (
	"os"
	"strconv"
	"strings"
	"syscall"
)

// selfCPU returns this process's user+system CPU time in nanoseconds.
func selfCPU() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return -1
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// clockTicks is USER_HZ, the unit of /proc/<pid>/stat's CPU times: 100 on
// every Linux architecture's user ABI.
const clockTicks = 100

// treeCPU returns the user+system CPU time in nanoseconds of process pid and
// of its descendants alive now (Linux /proc only; -1 elsewhere): a server
// started through a launcher (npm, next start) may do its work in a child.
func treeCPU(pid int) int64 {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return -1
	}
	children := map[int][]int{}
	ticks := map[int]int64{}
	for _, e := range entries {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// The command name, field 2, is in parentheses and may hold
		// spaces: the fields counted from 3 start after the last ')'.
		s := string(b)
		i := strings.LastIndexByte(s, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(s[i+1:])
		if len(f) < 13 {
			continue
		}
		ppid, _ := strconv.Atoi(f[1])            // field 4
		ut, _ := strconv.ParseInt(f[11], 10, 64) // field 14
		st, _ := strconv.ParseInt(f[12], 10, 64) // field 15
		children[ppid] = append(children[ppid], p)
		ticks[p] = ut + st
	}
	if _, ok := ticks[pid]; !ok {
		return -1
	}
	var total int64
	stack := []int{pid}
	for len(stack) > 0 {
		p := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		total += ticks[p]
		stack = append(stack, children[p]...)
	}
	return total * (1e9 / clockTicks)
}
