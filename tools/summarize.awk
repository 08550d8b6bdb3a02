# Totals the VSTest summary lines of every test project ("Passed!  - Failed: 0, Passed: 5, Skipped: 0, ...")
# into the one line CI reads: "N passed, N failed, N skipped". No summary at all is a failure.
/^[[:space:]]*(Passed|Failed)!/ {
  for (i = 1; i <= NF; i++) {
    v = $(i + 1); gsub(",", "", v)
    if ($i == "Failed:") f += v
    if ($i == "Passed:") p += v
    if ($i == "Skipped:") s += v
  }
  n++
}
END {
  if (n == 0) { print "no test summary found"; exit 1 }
  printf "%d passed, %d failed, %d skipped\n", p, f, s
}
