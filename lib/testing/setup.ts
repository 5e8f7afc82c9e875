// Jest setup: silence tfjs's "install the node backend" banner on the cpu backend.
import * as tf from '@tensorflow/tfjs';
tf.env().set('PROD', true);
