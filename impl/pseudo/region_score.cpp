#include "pseudo/region_score.h"

#include "core/error.h"

namespace s4seg {

torch::Tensor region_score(Discriminator& d, const torch::Tensor& probs, const torch::Tensor& images) {
  DiscriminatorOutput out = d->forward(discriminator_input(probs.to(torch::kFloat), images.to(torch::kFloat)));
  return patch_scores_to_pixels(out.score.to(torch::kFloat), probs.size(2), probs.size(3));
}

torch::Tensor mean_region_score(SegmentationNetImpl& net, const torch::Tensor& probs, const torch::Tensor& images) {
  const int64_t n = net.discriminator_count();
  require(n > 0, "the model has no discriminator");
  torch::Tensor sum = region_score(net.discriminator(0), probs, images);
  for (int64_t k = 1; k < n; ++k) sum = sum + region_score(net.discriminator(k), probs, images);
  return sum / static_cast<double>(n);
}

}  // namespace s4seg
