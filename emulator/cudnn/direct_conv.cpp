// Direct convolution loops. Input coordinate i and output coordinate o meet through filter
// offset t when i = o * stride - pad + t * dilation; in CUDNN_CONVOLUTION mode offset t reads
// filter tap K - 1 - t. One walk visits every (input, filter, output) product term once, in a
// fixed order; each direction accumulates the terms into its own result in double.
#include "emulator/cudnn/direct_conv.hpp"

#include <vector>

namespace revgan::emu::dnn {

namespace {

int64_t tap(const Problem& p, int a, int64_t t) {
  return p.flip ? p.kernel[a] - 1 - t : t;
}

int64_t input_of(const Problem& p, int a, int64_t o, int64_t t) {
  const int64_t i = o * p.stride[a] - p.pad[a] + t * p.dilation[a];
  return i >= 0 && i < p.in[a] ? i : -1;
}

// Calls term(x_index, w_index, y_index) for every product term of the convolution.
template <class F>
void for_each_term(const Problem& p, F&& term) {
  const int64_t* xs = p.x_stride;
  const int64_t* ys = p.y_stride;
  for (int64_t n = 0; n < p.batch; ++n)
    for (int64_t k = 0; k < p.out_channels; ++k)
      for (int64_t od = 0; od < p.out[0]; ++od)
        for (int64_t oh = 0; oh < p.out[1]; ++oh)
          for (int64_t ow = 0; ow < p.out[2]; ++ow) {
            const int64_t y = n * ys[0] + k * ys[1] + od * ys[2] + oh * ys[3] + ow * ys[4];
            for (int64_t c = 0; c < p.in_channels; ++c)
              for (int64_t td = 0; td < p.kernel[0]; ++td) {
                const int64_t id = input_of(p, 0, od, td);
                if (id < 0) continue;
                for (int64_t th = 0; th < p.kernel[1]; ++th) {
                  const int64_t ih = input_of(p, 1, oh, th);
                  if (ih < 0) continue;
                  for (int64_t tw = 0; tw < p.kernel[2]; ++tw) {
                    const int64_t iw = input_of(p, 2, ow, tw);
                    if (iw < 0) continue;
                    const int64_t x = n * xs[0] + c * xs[1] + id * xs[2] + ih * xs[3] + iw * xs[4];
                    const int64_t w =
                        (((k * p.in_channels + c) * p.kernel[0] + tap(p, 0, td)) * p.kernel[1] + tap(p, 1, th)) *
                            p.kernel[2] +
                        tap(p, 2, tw);
                    term(x, w, y);
                  }
                }
              }
          }
}

// Elements spanned by a strided tensor (the furthest index plus one).
std::size_t span(const int64_t* s, int64_t n, int64_t c, const int64_t* spatial) {
  return static_cast<std::size_t>((n - 1) * s[0] + (c - 1) * s[1] + (spatial[0] - 1) * s[2] + (spatial[1] - 1) * s[3] +
                                  (spatial[2] - 1) * s[4] + 1);
}

template <class Each>
void each_element(const int64_t* s, int64_t n, int64_t c, const int64_t* sp, Each&& f) {
  for (int64_t a = 0; a < n; ++a)
    for (int64_t b = 0; b < c; ++b)
      for (int64_t d = 0; d < sp[0]; ++d)
        for (int64_t h = 0; h < sp[1]; ++h)
          for (int64_t w = 0; w < sp[2]; ++w) f(a * s[0] + b * s[1] + d * s[2] + h * s[3] + w * s[4]);
}

// out[i] = alpha * sum[i] + beta * out[i] for every element i of the result (out is not read when
// beta is 0); `each(f)` calls f on every element index.
template <class T, class Each>
void store(const std::vector<double>& sum, double alpha, double beta, T* out, Each&& each) {
  each([&](int64_t i) {
    const double s = sum[static_cast<std::size_t>(i)];
    out[i] = static_cast<T>(beta == 0.0 ? alpha * s : alpha * s + beta * static_cast<double>(out[i]));
  });
}

}  // namespace

template <class T>
void direct_forward(const Problem& p, double alpha, const T* x, const T* w, double beta, T* y) {
  std::vector<double> sum(span(p.y_stride, p.batch, p.out_channels, p.out), 0.0);
  for_each_term(p, [&](int64_t xi, int64_t wi, int64_t yi) {
    sum[static_cast<std::size_t>(yi)] += static_cast<double>(x[xi]) * static_cast<double>(w[wi]);
  });
  store(sum, alpha, beta, y, [&](auto f) { each_element(p.y_stride, p.batch, p.out_channels, p.out, f); });
}

template <class T>
void direct_backward_data(const Problem& p, double alpha, const T* w, const T* dy, double beta, T* dx) {
  std::vector<double> sum(span(p.x_stride, p.batch, p.in_channels, p.in), 0.0);
  for_each_term(p, [&](int64_t xi, int64_t wi, int64_t yi) {
    sum[static_cast<std::size_t>(xi)] += static_cast<double>(dy[yi]) * static_cast<double>(w[wi]);
  });
  store(sum, alpha, beta, dx, [&](auto f) { each_element(p.x_stride, p.batch, p.in_channels, p.in, f); });
}

template <class T>
void direct_backward_filter(const Problem& p, double alpha, const T* x, const T* dy, double beta, T* dw) {
  std::vector<double> sum(
      static_cast<std::size_t>(p.out_channels * p.in_channels * p.kernel[0] * p.kernel[1] * p.kernel[2]), 0.0);
  for_each_term(p, [&](int64_t xi, int64_t wi, int64_t yi) {
    sum[static_cast<std::size_t>(wi)] += static_cast<double>(dy[yi]) * static_cast<double>(x[xi]);
  });
  store(sum, alpha, beta, dw, [&](auto f) {
    for (std::size_t i = 0; i < sum.size(); ++i) f(static_cast<int64_t>(i));
  });
}

template void direct_forward<float>(const Problem&, double, const float*, const float*, double, float*);
template void direct_forward<double>(const Problem&, double, const double*, const double*, double, double*);
template void direct_backward_data<float>(const Problem&, double, const float*, const float*, double, float*);
template void direct_backward_data<double>(const Problem&, double, const double*, const double*, double, double*);
template void direct_backward_filter<float>(const Problem&, double, const float*, const float*, double, float*);
template void direct_backward_filter<double>(const Problem&, double, const double*, const double*, double, double*);

}  // namespace revgan::emu::dnn
