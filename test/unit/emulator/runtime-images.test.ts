import { describe, expect, test } from 'vitest';
import { UserError } from '../../../common/errors';
import {
  chooseRuntimeImage,
  type RuntimeProvider,
  runtimeImageCandidates,
  runtimeImageSettings,
} from '../../../emulator/engines/runtime-images';

/** An engine that has every image, Lambda base images included. */
const hasEverything = async () => true;
const hasOnly =
  (...images: string[]) =>
  async (image: string) =>
    images.includes(image);

describe('runtime image per provider (docker engine, zip artefacts)', () => {
  test('an AWS function runs on the official Lambda base image when the engine has it', async () => {
    expect(await chooseRuntimeImage('aws', 'nodejs22.x', {}, hasEverything)).toEqual({
      image: 'public.ecr.aws/lambda/nodejs:22',
      official: true,
    });
    expect(await chooseRuntimeImage('aws', 'python3.12', {}, hasEverything)).toEqual({
      image: 'public.ecr.aws/lambda/python:3.12',
      official: true,
    });
  });

  test('an AWS function falls back to the local runtime image', async () => {
    expect(await chooseRuntimeImage('aws', 'nodejs24.x', {}, hasOnly('faasport/runtime-nodejs:24'))).toEqual({
      image: 'faasport/runtime-nodejs:24',
      official: false,
    });
  });

  test.each<[RuntimeProvider, string, string]>([
    ['gcp', 'nodejs22.x', 'faasport/runtime-nodejs:22'],
    ['gcp', 'nodejs24.x', 'faasport/runtime-nodejs:24'],
    ['azure', 'nodejs22.x', 'faasport/runtime-nodejs:22'],
    ['azure', 'node24', 'faasport/runtime-nodejs:24'],
    ['gcp', 'python3.12', 'faasport/runtime-python:3'],
  ])(
    'a %s %s function never runs on a Lambda base image, even when the engine has one',
    async (provider, runtime, image) => {
      expect(await chooseRuntimeImage(provider, runtime, {}, hasEverything)).toEqual({
        image,
        official: false,
      });
      const candidates = runtimeImageCandidates(provider, runtime).map((candidate) => candidate.image);
      expect(candidates.some((candidate) => candidate.startsWith('public.ecr.aws/lambda/'))).toBe(false);
    },
  );

  test('a configured Lambda-style base image is for AWS functions only', async () => {
    const settings = { awsBaseImages: { 'nodejs22.x': 'mirror.example.com/lambda/nodejs:22' } };
    expect(await chooseRuntimeImage('aws', 'nodejs22.x', settings, hasEverything)).toEqual({
      image: 'mirror.example.com/lambda/nodejs:22',
      official: true,
    });
    expect(await chooseRuntimeImage('gcp', 'nodejs22.x', settings, hasEverything)).toEqual({
      image: 'faasport/runtime-nodejs:22',
      official: false,
    });
    expect(await chooseRuntimeImage('azure', 'nodejs22.x', settings, hasEverything)).toEqual({
      image: 'faasport/runtime-nodejs:22',
      official: false,
    });
  });

  test('a configured plain runtime image serves every provider, through faasport’s bootstrap', async () => {
    const settings = { runtimeImages: { 'nodejs26.x': 'registry.example.com/node:26' } };
    for (const provider of ['aws', 'gcp', 'azure'] as const) {
      expect(await chooseRuntimeImage(provider, 'nodejs26.x', settings, hasEverything)).toEqual({
        image: 'registry.example.com/node:26',
        official: false,
      });
    }
  });

  test('a configured image that is missing is an error naming it, not a silent fallback', async () => {
    const settings = { awsBaseImages: { 'nodejs22.x': 'mirror.example.com/lambda/nodejs:22' } };
    await expect(
      chooseRuntimeImage('aws', 'nodejs22.x', settings, hasOnly('faasport/runtime-nodejs:22')),
    ).rejects.toThrow(/mirror\.example\.com\/lambda\/nodejs:22/);
  });

  test('no image at all is a user error with a hint', async () => {
    const error = await chooseRuntimeImage('gcp', 'nodejs22.x', {}, hasOnly()).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toContain('faasport/runtime-nodejs:22');
    expect(() => runtimeImageCandidates('azure', 'dotnet8')).toThrow(UserError);
  });

  test('custom.faasport settings are read, and a wrong shape is refused with the key', () => {
    expect(
      runtimeImageSettings({ awsBaseImages: { 'nodejs22.x': 'm/lambda:22' }, other: true }, 'serverless.yml'),
    ).toEqual({ awsBaseImages: { 'nodejs22.x': 'm/lambda:22' } });
    expect(() => runtimeImageSettings({ runtimeImages: ['node:22'] }, 'serverless.yml')).toThrow(
      /custom\.faasport\.runtimeImages/,
    );
    expect(() => runtimeImageSettings({ awsBaseImages: { 'nodejs22.x': 3 } }, 'serverless.yml')).toThrow(
      /custom\.faasport\.awsBaseImages/,
    );
  });
});
