import keras
import numpy as np
import pytest

from keras_ssl.augmentations import MultiView
from keras_ssl.augmentations import RandomResizedCrop


def _numpy(views):
    return [keras.ops.convert_to_numpy(view) for view in views]


def test_one_layer_gives_num_views_different_views(images):
    multi_view = MultiView(RandomResizedCrop(32, 32, seed=0), num_views=3)
    views = _numpy(multi_view(images))
    assert len(views) == 3
    assert all(view.shape == images.shape for view in views)
    assert np.abs(views[0] - views[1]).mean() > 1.0
    assert np.abs(views[1] - views[2]).mean() > 1.0


def test_default_is_two_views(images):
    assert len(MultiView(RandomResizedCrop(32, 32))(images)) == 2


def test_list_of_layers_multi_crop(images):
    multi_view = MultiView(
        [RandomResizedCrop(32, 32, seed=0), RandomResizedCrop(16, 16, seed=1)]
    )
    views = _numpy(multi_view(images))
    assert [view.shape for view in views] == [(8, 32, 32, 3), (8, 16, 16, 3)]
    assert multi_view.compute_output_shape((None, 32, 32, 3)) == (
        (None, 32, 32, 3),
        (None, 16, 16, 3),
    )


def test_inference_passes_training_false(images):
    multi_view = MultiView(RandomResizedCrop(32, 32), num_views=2)
    views = _numpy(multi_view(images, training=False))
    np.testing.assert_allclose(views[0], images, atol=1e-4)
    np.testing.assert_allclose(views[1], images, atol=1e-4)


@pytest.mark.parametrize("layers", [False, True])
def test_get_config_round_trip(images, layers):
    if layers:
        augmentations = [RandomResizedCrop(32, 32, seed=0),
                         RandomResizedCrop(16, 16, seed=1)]
    else:
        augmentations = RandomResizedCrop(24, 24, seed=2)
    multi_view = MultiView(augmentations, num_views=2)
    revived = keras.saving.deserialize_keras_object(
        keras.saving.serialize_keras_object(multi_view)
    )
    assert isinstance(revived, MultiView)
    assert revived.num_views == 2
    for a, b in zip(_numpy(multi_view(images)), _numpy(revived(images))):
        np.testing.assert_allclose(a, b)


def test_invalid_arguments():
    crop = RandomResizedCrop(32, 32)
    with pytest.raises(ValueError, match="num_views"):
        MultiView([crop, crop], num_views=3)
    with pytest.raises(ValueError, match="num_views"):
        MultiView(crop, num_views=0)
    with pytest.raises(ValueError, match="empty"):
        MultiView([])
    with pytest.raises(TypeError, match="augmentations"):
        MultiView("crop")


def test_compiled(images, compiled_call):
    multi_view = MultiView(RandomResizedCrop(32, 32, seed=0), num_views=2)
    views = compiled_call(multi_view, images)
    assert len(views) == 2
    assert np.abs(views[0] - views[1]).mean() > 1.0


def test_tf_data(images, tf_data_call):
    multi_view = MultiView(RandomResizedCrop(16, 16, seed=0), num_views=2)
    batches = tf_data_call(multi_view, images, 4)
    assert len(batches) == 2 and len(batches[0]) == 2
    assert batches[0][0].shape == (4, 16, 16, 3)
    assert np.abs(batches[0][0] - batches[0][1]).mean() > 1.0
