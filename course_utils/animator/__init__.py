"""The learned animator (after the 2019 GAN): a dense motion and an occlusion mask, the portrait's own pixels
warped, only what is new painted. model (the networks), data (FaceWorld and real pairs), train (losses, the loop,
the checkpoint), parts (the mouth and eye windows, repainted at display size), portrait (one portrait, animated frame by
frame). Training: python -m course_utils.animator train, then python -m course_utils.animator parts."""
