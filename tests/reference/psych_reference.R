# Reference values for tests/test_reliability.py and tests/test_score_items.py, computed with
# R psych on the public bfi data set (2800 respondents, 25 Big Five items on a 1..6 scale, with
# missing values) that ships with psych/psychTools.
#
# Run from the repository root (R, psych, GPArotation and jsonlite needed; the tests only read
# the files written here and never call R):
#
#     Rscript tests/reference/psych_reference.R
#
# Writes, next to this script:
#   bfi_items.csv           the 25 raw items as distributed (empty cell = missing)
#   bfi_scores_psych.csv    psych::scoreItems scale scores (impute = "none")
#   psych_reference.json    alpha, std.alpha, average_r, Feldt CIs, r.drop, alpha.drop, item
#                           means and sds (psych::alpha) and omega.tot (psych::omega, 1 factor),
#                           pairwise and listwise, per scale
#
# Reverse-keyed items are reversed here (7 - x) BEFORE any psych call, so that no psych
# function mixes keyed and unkeyed statistics (see docs/dependency notes on check.keys).
suppressPackageStartupMessages({
  library(psych)
  library(jsonlite)
})

here <- "tests/reference"
data(bfi, package = "psych")
items <- bfi[, 1:25]
write.csv(items, file.path(here, "bfi_items.csv"), row.names = FALSE, na = "")

keys <- list(
  agree = c("-A1", "A2", "A3", "A4", "A5"),
  conscientious = c("C1", "C2", "C3", "-C4", "-C5"),
  extraversion = c("-E1", "-E2", "E3", "E4", "E5"),
  neuroticism = c("N1", "N2", "N3", "N4", "N5"),
  openness = c("O1", "-O2", "O3", "O4", "-O5")
)
scale_min <- 1
scale_max <- 6
reversed <- sub("-", "", unlist(keys)[grepl("^-", unlist(keys))])
keyed <- items
keyed[, reversed] <- scale_min + scale_max - keyed[, reversed]

# Feldt's interval with an explicit n (the convention of scoring.reliability.alpha_ci:
# pairwise n = respondents answering at least one item, listwise n = complete respondents).
feldt <- function(alpha, n, k, level = 0.95) {
  p <- (1 - level) / 2
  c(low = 1 - (1 - alpha) * qf(1 - p, n - 1, (n - 1) * (k - 1)),
    high = 1 - (1 - alpha) * qf(p, n - 1, (n - 1) * (k - 1)))
}

omega_tot <- function(x) {
  suppressWarnings(suppressMessages(omega(x, nfactors = 1, plot = FALSE)))$omega.tot
}

stats_for <- function(x, n_ours) {
  a <- alpha(x, warnings = FALSE)
  list(
    alpha = a$total$raw_alpha,
    std_alpha = a$total$std.alpha,
    average_r = a$total$average_r,
    omega_total = omega_tot(x),
    feldt_psych = c(low = a$feldt$lower.ci[[1]], high = a$feldt$upper.ci[[1]]),
    n_psych = nrow(x),
    n = n_ours,
    feldt = feldt(a$total$raw_alpha, n_ours, ncol(x)),
    items = colnames(x),
    r_drop = a$item.stats$r.drop,
    alpha_if_deleted = a$alpha.drop$raw_alpha,
    mean = a$item.stats$mean,
    sd = a$item.stats$sd
  )
}

scales <- list()
for (scale in names(keys)) {
  cols <- sub("-", "", keys[[scale]])
  x <- keyed[, cols]
  complete <- na.omit(x)
  scales[[scale]] <- list(
    reverse = I(sub("-", "", keys[[scale]][grepl("^-", keys[[scale]])])),
    pairwise = stats_for(x, sum(rowSums(!is.na(x)) > 0)),
    listwise = stats_for(complete, nrow(complete))
  )
}

# psych::scoreItems on the keyed data: every key positive now; impute = "none" averages the
# answered items, which is what scoring.score_items does.
positive <- lapply(keys, function(k) sub("-", "", k))
scored <- scoreItems(positive, keyed, impute = "none", min = scale_min, max = scale_max)
write.csv(round(as.data.frame(scored$scores), 12), file.path(here, "bfi_scores_psych.csv"),
          row.names = FALSE)
score_alpha <- as.list(scored$alpha[1, ])

# The n convention matters only when some respondents skip a whole scale: blank the agree
# items of the first 40 respondents and record alpha and both intervals.
holes <- keyed[, sub("-", "", keys$agree)]
holes[1:40, ] <- NA
a_holes <- alpha(holes, warnings = FALSE)
n_holes <- sum(rowSums(!is.na(holes)) > 0)
holes_ref <- list(
  rows_blanked = 40,
  alpha = a_holes$total$raw_alpha,
  n = n_holes,
  feldt = feldt(a_holes$total$raw_alpha, n_holes, ncol(holes)),
  n_psych = nrow(holes),
  feldt_psych = c(low = a_holes$feldt$lower.ci[[1]], high = a_holes$feldt$upper.ci[[1]])
)

out <- list(
  source = "psych::bfi",
  r_version = R.version.string,
  psych_version = as.character(packageVersion("psych")),
  scale_min = scale_min,
  scale_max = scale_max,
  keys = keys,
  scales = scales,
  score_items_alpha = score_alpha,
  agree_first_40_blank = holes_ref
)
write_json(out, file.path(here, "psych_reference.json"), auto_unbox = TRUE, digits = NA,
           pretty = TRUE)
cat("wrote", file.path(here, c("bfi_items.csv", "bfi_scores_psych.csv",
                               "psych_reference.json")), sep = "\n")
