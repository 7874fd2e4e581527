// Package classify holds the evaluation classifiers of mmi: small networks,
// trained by the project on its own engine (package nn), that say which
// class an image shows, for MNIST digits, Fashion-MNIST clothing and the
// UCI 8×8 digits. They are used only to measure generated images: the share
// of samples read as the intended class, the histogram of the classes, and
// the Fréchet distance between the classifier's penultimate-layer features
// of the samples and of real test images of the class (Evaluate), beside
// its floor, the same distance for as many real training images.
//
// A classifier is trained on first use (Load) from a fixed seed, on the
// training split of its data set (datasets.Train), and cached under
// os.UserCacheDir()/mmi/classify, keyed by the data set, the training
// settings and the file format version; a cache file that cannot be read
// is replaced by a fresh training, with a note, never an error. The test
// accuracy on the held-out split (datasets.Test) is measured after training
// and kept with it: MNIST 0.98 or more, Fashion-MNIST 0.89 or more (the
// bars of the project's image experiments).
//
// The network is a SiLU MLP in float32: images scaled to [−1, 1] as package
// datasets gives them, flattened, through Hidden layers to ten logits,
// trained with softmax cross-entropy and Adam on a cosine learning-rate
// schedule, each batch randomly shifted by up to Shift pixels (and mirrored
// left–right for Fashion-MNIST, whose classes are symmetric) so that the
// classifier does not hinge on exact placement.
package classify
