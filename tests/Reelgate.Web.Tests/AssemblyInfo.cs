// Each test here runs real server processes (and Chromium): one at a time, so two browsers and
// four servers do not fight over the 2 cores while other test assemblies also run.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
