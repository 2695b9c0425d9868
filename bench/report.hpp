// Output of `bench train`: a console table, JSON lines (the keys the PyTorch peer also
// writes), a Markdown table and a hand-written SVG chart of activation memory vs depth.
#pragma once

#include <string>
#include <vector>

#include "bench/budget.hpp"
#include "bench/train_bench.hpp"

namespace revgan::bench {

std::string console_header();
std::string console_row(const TrainResult& r);
// With profile_ops: the ops of the timed steps by time per step (those above 0.2 % of the ops'
// time; the rest summed), and how much of the step the ops account for.
std::string op_time_table(const TrainResult& r);
std::string json_line(const TrainResult& r);
std::string json_line(const BudgetResult& r);

// One table of results plus, when both modes of a configuration were run, the ratios.
std::string markdown_report(const std::vector<TrainResult>& results, const std::vector<BudgetResult>& budgets);

// Peak activation MB against depth, one polyline per (model, width, size, mode) measured at
// two or more depths. Empty string when no series has two depths.
std::string svg_memory_vs_depth(const std::vector<TrainResult>& results);

// Memory-saving runs of one network at several --memory_budget values: time per sample against
// peak activation MB, one polyline per network, each point labelled with its budget. Empty
// string when no network was measured at two budgets.
std::string svg_time_vs_memory(const std::vector<TrainResult>& results);

}  // namespace revgan::bench
