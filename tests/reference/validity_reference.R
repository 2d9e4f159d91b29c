# Reference values for tests/test_validity.py, computed with R lavaan.
#
# Run from this folder:  Rscript validity_reference.R
# Needs: lavaan (>= 0.6).
# Writes:
#   validity_hs1939.csv           lavaan::HolzingerSwineford1939, the nine test scores x1..x9
#   validity_hs1939_fit.json      chi-square, df, p, CFI, TLI, RMSEA, SRMR of the 3-factor model
#   validity_hs1939_loadings.csv  loadings: estimate, standardised (std.all), se, p
# The model is lavaan's textbook example (cfa() defaults: ML, first loading fixed to 1,
# correlated factors, N in the likelihood).
suppressPackageStartupMessages(library(lavaan))
options(digits = 15)

hs <- lavaan::HolzingerSwineford1939[, paste0("x", 1:9)]
write.csv(hs, "validity_hs1939.csv", row.names = FALSE)

model <- "
  visual  =~ x1 + x2 + x3
  textual =~ x4 + x5 + x6
  speed   =~ x7 + x8 + x9
"
fit <- cfa(model, data = hs)
fm <- fitMeasures(fit, c("chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr", "ntotal"))
json <- paste0("{\n", paste0('  "', names(fm), '": ', format(unname(fm), digits = 15),
                             collapse = ",\n"), "\n}\n")
writeLines(json, "validity_hs1939_fit.json", sep = "")

pe <- parameterEstimates(fit, standardized = TRUE)
pe <- pe[pe$op == "=~", ]
write.csv(data.frame(factor = pe$lhs, item = pe$rhs, estimate = pe$est,
                     std_estimate = pe$std.all, se = pe$se, pval = pe$pvalue),
          "validity_hs1939_loadings.csv", row.names = FALSE, na = "")
