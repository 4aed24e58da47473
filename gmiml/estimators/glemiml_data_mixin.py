r"""The data side of :class:`~gmiml.estimators.GLEMIMLClassifier`: turning bags into the
batched tensors the network reads (standardised instances, instance graphs, bag-graph
neighbours) and building the network. A mixin, kept apart so that the estimator module
stays readable in one sitting."""
import numpy as np

from gmiml.estimators.bag_graph_hooks import bag_neighbours, init_prior_bias

__all__ = ['GLEMIMLDataMixin']


class GLEMIMLDataMixin:
    """Data preparation and model construction of GLEMIML (needs the estimator's
    parameters and :class:`~gmiml.estimators.neural.NeuralMIMLEstimator`)."""

    def _prepare(self, bags, Y=None, device=None, bank_rng=None):
        """Standardised instance tensor, pointers, instance graph and per-bag tensors
        (on ``device``; default: where the network is, else the ``device`` parameter),
        and the bags' bag-graph neighbours (``bank_rng``: training bags, bank set first)."""
        import torch
        from gmiml.loader.bag_batcher import BagBatcher, bag_pointers
        x = torch.from_numpy(self._standardize(bags))
        sizes = torch.tensor([len(b) for b in bags], dtype=torch.long)
        ptr = bag_pointers(sizes)
        batch = torch.repeat_interleave(torch.arange(len(bags)), sizes,
                                        output_size=x.size(0))
        edge_index = edge_weight = None
        if self.interaction and self.graph == 'input':
            from gmiml.utils.mutual_knn_graph import mutual_knn_graph
            edge_index, edge_weight = mutual_knn_graph(x, k=self.k, batch=batch)
        attrs = {}
        if Y is not None:
            attrs['y'] = torch.from_numpy(np.asarray(Y, dtype=np.float32))
            feat = torch.zeros(len(bags), x.size(1)).index_add_(0, batch, x)
            attrs['feat'] = feat / sizes.to(torch.float32).view(-1, 1)
        if (prop := getattr(getattr(self, 'model_', None), 'bag_propagation', None)):
            attrs['nbr_index'], attrs['nbr_sim'] = bag_neighbours(prop, x, ptr, Y, bank_rng)
        batcher = BagBatcher(x, ptr, edge_index, edge_weight, **attrs)
        if device is None:
            device = (next(self.model_.parameters()).device if hasattr(self, 'model_')
                      else self._torch_device())
        return batcher.to(device)

    def _prepare_training(self, bags, Y, device, rng):
        """The training data; sets the prior bias and the propagation bank first."""
        if self.prior_bias:
            init_prior_bias(self.model_.classifier.lins[-1], Y)
        return self._prepare(bags, Y, device,
                             bank_rng=rng if self.bag_graph is not None else None)

    def _build_model(self):
        from gmiml.nn.models.glemiml_net import GLEMIMLNet
        prop = None
        if self.bag_graph is not None:
            from gmiml.nn.models.bag_label_propagation import BagLabelPropagation
            prop = BagLabelPropagation(
                self.n_labels_, k=int(self.bag_k), beta=self.bag_beta, tau=self.bag_tau,
                alpha=self.bag_alpha, similarity=self.bag_graph, max_bank=int(self.max_bank))
        return GLEMIMLNet(
            self.n_features_in_, self.n_labels_, hidden_channels=self.hidden_channels,
            classifier_layers=self.classifier_layers, interaction=self.interaction,
            enhancement=self.enhancement, graph=self.graph, k=self.k, pool=self.pool,
            label_k=self.label_k, enhancer_channels=self.enhancer_channels,
            dropout=self.dropout, share_encoder=self.share_encoder, bag_propagation=prop)
