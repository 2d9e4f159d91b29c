# Reference values for tests/test_agreement.py, computed with R psych and multilevel.
#
# Run from this folder:  Rscript agreement_reference.R
# Needs: psych (>= 2.2), multilevel (>= 2.7; Debian: r-cran-multilevel).
# Writes the input data beside the values so that the tests, which never call R, read the
# same numbers R saw:
#   agreement_sf.csv              Shrout & Fleiss (1979) table 2: 6 targets x 4 judges
#   agreement_sf_icc.csv          psych::ICC(sf) results
#   agreement_lq2002.csv          multilevel::lq2002 (Bliese, Halverson & Schriesheim 2002),
#                                 company id and the item / scale columns used below, with a
#                                 few answers blanked (deterministically) to exercise missing data
#   agreement_lq2002_icc.csv      psych::ICC on the first 40 rows of LEAD04..LEAD08
#   agreement_lq2002_rwg.csv      multilevel::rwg per company
#   agreement_lq2002_rwgj.csv     multilevel::rwg.j per company
#   agreement_lq2002_membership.csv  multilevel::ICC1 / ICC2 of one-way ANOVAs by company
suppressPackageStartupMessages({
  library(psych)
  library(multilevel)
})
options(digits = 15)

sf <- matrix(c(9, 2, 5, 8, 6, 1, 3, 2, 8, 4, 6, 8, 7, 1, 2, 6, 10, 5, 6, 9, 6, 2, 4, 7),
             ncol = 4, byrow = TRUE, dimnames = list(NULL, paste0("J", 1:4)))
write.csv(data.frame(sf), "agreement_sf.csv", row.names = FALSE)

icc_table <- function(x) {
  r <- psych::ICC(x, lmer = FALSE)$results
  data.frame(type = r$type, ICC = r$ICC, F = r$F, df1 = r$df1, df2 = r$df2, pval = r$p,
             ci_low = r[["lower bound"]], ci_high = r[["upper bound"]])
}
write.csv(icc_table(sf), "agreement_sf_icc.csv", row.names = FALSE)

data(lq2002, package = "multilevel")
lead_items <- paste0("LEAD", sprintf("%02d", 1:11))
tsig_items <- paste0("TSIG", sprintf("%02d", 1:3))
hostil_items <- paste0("HOSTIL", sprintf("%02d", 1:5))
lq <- lq2002[, c("COMPID", lead_items, tsig_items, hostil_items, "LEAD", "TSIG", "HOSTILE")]
# Blank every 37th answer of LEAD03 and every 53rd of TSIG02 so that listwise handling is tested.
lq$LEAD03[seq(5, nrow(lq), by = 37)] <- NA
lq$TSIG02[seq(11, nrow(lq), by = 53)] <- NA
write.csv(lq, "agreement_lq2002.csv", row.names = FALSE, na = "")

write.csv(icc_table(as.matrix(lq[1:40, lead_items[4:8]])), "agreement_lq2002_icc.csv",
          row.names = FALSE)

# rwg of single items against the uniform null: 5-point items (A^2 - 1) / 12 = 2,
# the 0..4 hostility items are 5-point too.
rwg_rows <- list()
for (col in c("LEAD01", "LEAD03", "TSIG02", "HOSTIL01")) {
  r <- multilevel::rwg(lq[[col]], lq$COMPID, ranvar = 2)
  rwg_rows[[col]] <- data.frame(item = col, COMPID = r$grpid, rwg = r$rwg, gsize = r$gsize)
}
write.csv(do.call(rbind, rwg_rows), "agreement_lq2002_rwg.csv", row.names = FALSE)

rwgj_rows <- list()
for (scale in c("LEAD", "TSIG", "HOSTILE")) {
  items <- switch(scale, LEAD = lead_items, TSIG = tsig_items, HOSTILE = hostil_items)
  r <- multilevel::rwg.j(lq[, items], lq$COMPID, ranvar = 2)
  rwgj_rows[[scale]] <- data.frame(scale = scale, COMPID = r$grpid, rwg_j = r$rwg.j,
                                   gsize = r$gsize)
}
write.csv(do.call(rbind, rwgj_rows), "agreement_lq2002_rwgj.csv", row.names = FALSE)

membership <- list()
for (scale in c("LEAD", "TSIG", "HOSTILE")) {
  fit <- aov(lq2002[[scale]] ~ as.factor(lq2002$COMPID))
  membership[[scale]] <- data.frame(scale = scale, ICC1 = multilevel::ICC1(fit),
                                    ICC2 = multilevel::ICC2(fit))
}
write.csv(do.call(rbind, membership), "agreement_lq2002_membership.csv", row.names = FALSE)
