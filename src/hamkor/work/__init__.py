"""Work that outlives a request: jobs as rows any worker process claims (`queue`), what each kind of job does
(`tasks`), and the worker that runs them and sends the mail (`worker`)."""
