import type { TestApp } from './test-app';

/**
 * Puts the simulated UCWA user / SaaS endpoint of `platform` in conversation `id`
 * (contract.md §7): the simulators list, and accept addParticipant in, only the
 * conversations that exist in them, as the real platforms do.
 */
export async function openSandboxConversation(platform: TestApp, provider: 'ucwa' | 'saas', id: string): Promise<void> {
  const response = await platform.request(`/sandbox/${provider}/_control/conversations`, {
    method: 'POST',
    json: { id },
  });
  if (response.status !== 204)
    throw new Error(`The ${provider} sandbox refused conversation '${id}' (${response.status})`);
}
